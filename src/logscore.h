/*
 * logscore.h
 *	  What the SQL glue files share: the settings, the pipeline an SQL call
 *	  runs, and the translation of core errors into ereport.
 */
#ifndef LOGSCORE_H
#define LOGSCORE_H

#include "fmgr.h"

#include "core/alert.h"
#include "core/detector.h"
#include "core/ewm.h"
#include "core/pipeline.h"
#include "core/sketch.h"
#include "utils/expandeddatum.h"

/*
 * Marks a function that does not return, written before its declaration.
 * PostgreSQL 18 replaced pg_attribute_noreturn() with the prefix pg_noreturn
 * (C11's _Noreturn), which 15 to 17 lack; the older macro's GCC attribute
 * reads as well before a declaration as after it.
 */
#if PG_VERSION_NUM >= 180000
#define ls_noreturn pg_noreturn
#else
#define ls_noreturn pg_attribute_noreturn()
#endif

/* settings.c */
extern int	logscore_on_overflow;
extern PGDLLIMPORT const ls_pipeline *logscore_pipeline_compiled;
extern void LogscoreSettingsInit(void);

/*
 * The settings a value set before the library loaded may have been rejected
 * for.  logscore_settings_rejected has a bit for each that is refused; the
 * functions that read one call logscore_check_settings first.
 */
typedef enum LogscoreSetting
{
	LS_SETTING_PIPELINE,
	LS_SETTING_ON_OVERFLOW,
	LS_SETTING_ALERT_WARNING,
	LS_SETTING_ALERT_CRITICAL,
	LS_SETTING_ALERT_CLEAR,
	LS_SETTING_ALERT_ENTER_AFTER,
	LS_SETTING_ALERT_EXIT_AFTER,
	LS_NSETTINGS
} LogscoreSetting;

#define LS_SETTING_BIT(setting) ((uint32) 1 << (setting))
/* what logscore_severity(z) reads, and what logscore_alert_state(z) reads */
#define LS_ALERT_LEVEL_SETTINGS \
	(LS_SETTING_BIT(LS_SETTING_ALERT_WARNING) | LS_SETTING_BIT(LS_SETTING_ALERT_CRITICAL))
#define LS_ALERT_STATE_SETTINGS \
	(LS_ALERT_LEVEL_SETTINGS | LS_SETTING_BIT(LS_SETTING_ALERT_CLEAR) | \
	 LS_SETTING_BIT(LS_SETTING_ALERT_ENTER_AFTER) | LS_SETTING_BIT(LS_SETTING_ALERT_EXIT_AFTER))

extern PGDLLIMPORT uint32 logscore_settings_rejected;
ls_noreturn extern void logscore_report_rejected_setting(uint32 settings);

/* setting_forms.c: every bit set in a backend Citus opened on a worker */
extern PGDLLIMPORT uint32 logscore_settings_remote;
extern void LogscoreSettingFormsInit(void);
extern void logscore_setting_forms_refresh(void);
extern void logscore_setting_forms_changed(void);
ls_noreturn extern void logscore_report_remote_setting(void);

static inline void
logscore_check_settings(uint32 settings)
{
	if (unlikely(((logscore_settings_rejected | logscore_settings_remote) & settings) != 0))
		logscore_report_rejected_setting(settings);
}

/* The logscore.alert_* settings' defaults (alert_sql.c documents their use). */
#define LS_DEFAULT_ALERT_WARNING 3.0
#define LS_DEFAULT_ALERT_CRITICAL 5.0
#define LS_DEFAULT_ALERT_CLEAR 2.0
#define LS_DEFAULT_ALERT_ENTER_AFTER 2
#define LS_DEFAULT_ALERT_EXIT_AFTER 3

extern double logscore_alert_warning;
extern double logscore_alert_critical;
extern double logscore_alert_clear;
extern int	logscore_alert_enter_after;
extern int	logscore_alert_exit_after;

/*
 * alert_sql.c: the logscore.alert_* settings as thresholds, refused (22023) when
 * set before the library loaded or when they do not make valid thresholds;
 * levels_only checks only what logscore_severity(z) reads.
 */
extern void logscore_alert_settings(ls_alert_thresholds *t, bool levels_only);

/* The compiled logscore.pipeline; inline, as it is read once per row. */
static inline const ls_pipeline *
logscore_setting_pipeline(void)
{
	logscore_check_settings(LS_SETTING_BIT(LS_SETTING_PIPELINE));
	return logscore_pipeline_compiled;
}

/* logscore.on_overflow, as an ls_overflow_mode */
static inline ls_overflow_mode
logscore_setting_on_overflow(void)
{
	logscore_check_settings(LS_SETTING_BIT(LS_SETTING_ON_OVERFLOW));
	return (ls_overflow_mode) logscore_on_overflow;
}

/* pipeline_arg.c */
extern const ls_pipeline *logscore_pipeline_arg(FunctionCallInfo fcinfo, int argno);
extern ls_overflow_mode logscore_overflow_arg(FunctionCallInfo fcinfo, int argno);

/* min_spread_arg.c: the floor of a robust z-score's spread, as an argument */
extern double logscore_min_spread_arg(FunctionCallInfo fcinfo, int argno, const char *function);

/*
 * report.c: the core's errors as ereport.  An input form's error is worded
 * and coded by where the input came from.
 */
typedef enum LogscoreInput
{
	LS_INPUT_TEXT,				/* a type's input function: 22P02 */
	LS_INPUT_BINARY,			/* a type's receive function: 22P03 */
	LS_INPUT_STORED				/* a value read back from a table: XX001 */
} LogscoreInput;

extern int	logscore_errcode(const ls_error *err);
ls_noreturn extern void logscore_report_error(const ls_error *err);
ls_noreturn extern void logscore_report_input_error(const ls_error *err, LogscoreInput input,
													const char *type_name);
ls_noreturn extern void logscore_report_parse_error(const char *text, size_t len,
													const ls_error *err);
ls_noreturn extern void logscore_report_overflow(const ls_pipeline *p, const ls_fault *fault,
												 bool setting_applies, int element);
extern int	logscore_error_character(const char *text, const ls_error *err);
extern char *logscore_error_detail(const char *text, const ls_error *err);
extern MemoryContext logscore_aggregate_context(FunctionCallInfo fcinfo, const char *function);

/* sketch_expanded.c: logscore_sketch values in memory */
typedef struct ExpandedSketch
{
	ExpandedObjectHeader hdr;
	ls_allocator allocator;		/* allocates in hdr.eoh_context */
	ls_sketch	sketch;
} ExpandedSketch;

extern ExpandedSketch *logscore_sketch_new(double alpha, MemoryContext context);
extern ExpandedSketch *logscore_sketch_writable(Datum d, MemoryContext aggcontext,
												MemoryContext states);
extern ExpandedSketch *logscore_sketch_copy(Datum d, MemoryContext context);
extern const ls_sketch *logscore_sketch_read(Datum d, ls_sketch *scratch);
extern bool logscore_sketch_is_expanded(Datum d);
extern Datum logscore_sketch_flat(const ls_sketch *s);

/* report.c: raises the error a sketch status stands for, unless it is OK */
extern void logscore_check_sketch(ls_sketch_status status);

/* sketch_agg.c: the accuracy errors every form of logscore_sketch gives */
extern void logscore_sketch_check_accuracy(double alpha);
ls_noreturn extern void logscore_sketch_accuracy_mismatch(double a, double b);

/* aggregate_memory.c */
extern void logscore_allocator_init(ls_allocator *allocator, MemoryContext context);
extern MemoryContext logscore_aggregate_states(MemoryContext aggcontext);

/*
 * ewm_type.c: a logscore_ewm value.  Fixed size, so an aggregate changes its
 * state in place; the version byte comes first, as in every stored format.
 */
typedef struct LogscoreEwm
{
	int32		vl_len_;		/* varlena header: do not touch directly */
	uint8		version;		/* LS_EWM_FORMAT_VERSION */
	uint8		reserved[3];	/* zero */
	ls_ewm		ewm;
} LogscoreEwm;

/* report.c: raises the error an ewm status stands for, unless it is OK */
extern void logscore_check_ewm(ls_ewm_status status);
extern LogscoreEwm *logscore_ewm_new(const ls_ewm *e);
extern LogscoreEwm *logscore_ewm_arg(FunctionCallInfo fcinfo, int argno);

/*
 * detector_type.c: a logscore_detector value.  Fixed size, so an aggregate
 * changes its state in place, as for logscore_ewm.
 */
typedef struct LogscoreDetector
{
	int32		vl_len_;		/* varlena header: do not touch directly */
	uint8		version;		/* LS_DETECTOR_FORMAT_VERSION */
	uint8		reserved[3];	/* zero */
	ls_detector detector;
} LogscoreDetector;

extern LogscoreDetector *logscore_detector_new(const ls_detector *d);
extern LogscoreDetector *logscore_detector_arg(FunctionCallInfo fcinfo, int argno);

#endif							/* LOGSCORE_H */
