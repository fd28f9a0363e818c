/*
 * logscore.h
 *	  What the SQL glue files share: the settings, the pipeline an SQL call
 *	  runs, and the translation of core errors into ereport.
 */
#ifndef LOGSCORE_H
#define LOGSCORE_H

#include "fmgr.h"

#include "core/alert.h"
#include "core/ewm.h"
#include "core/pipeline.h"
#include "core/sketch.h"
#include "utils/expandeddatum.h"

/* settings.c */
extern int	logscore_on_overflow;
extern PGDLLIMPORT const ls_pipeline *logscore_pipeline_compiled;
extern PGDLLIMPORT bool logscore_pipeline_rejected;
extern void LogscoreSettingsInit(void);

/* The logscore.alert_* settings' defaults (alert.c documents their use). */
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
extern void logscore_report_rejected_pipeline(void) pg_attribute_noreturn();

/* The compiled logscore.pipeline; inline, as it is read once per row. */
static inline const ls_pipeline *
logscore_setting_pipeline(void)
{
	if (unlikely(logscore_pipeline_rejected))
		logscore_report_rejected_pipeline();
	return logscore_pipeline_compiled;
}

/* pipeline_arg.c */
extern const ls_pipeline *logscore_pipeline_arg(FunctionCallInfo fcinfo, int argno);

/* report.c */
extern void logscore_report_parse_error(const char *text, size_t len,
										const ls_parse_error *err) pg_attribute_noreturn();
extern void logscore_report_overflow(const ls_pipeline *p, const ls_fault *fault,
									 bool setting_applies, int element) pg_attribute_noreturn();
extern int	logscore_parse_errcode(const ls_parse_error *err);
extern int	logscore_error_character(const char *text, const ls_parse_error *err);
extern char *logscore_error_detail(const char *text, const ls_parse_error *err);
extern MemoryContext logscore_aggregate_context(FunctionCallInfo fcinfo, const char *function);

/* sketch_expanded.c: logscore_sketch values in memory */
typedef struct ExpandedSketch
{
	ExpandedObjectHeader hdr;
	ls_allocator allocator;		/* allocates in hdr.eoh_context */
	ls_sketch	sketch;
} ExpandedSketch;

extern void logscore_allocator_init(ls_allocator *allocator, MemoryContext context);
extern MemoryContext logscore_aggregate_states(FunctionCallInfo fcinfo, MemoryContext aggcontext);
extern ExpandedSketch *logscore_sketch_new(double alpha, MemoryContext context);
extern ExpandedSketch *logscore_sketch_writable(Datum d, MemoryContext aggcontext,
												MemoryContext states);
extern const ls_sketch *logscore_sketch_read(Datum d, ls_sketch *scratch);
extern bool logscore_sketch_is_expanded(Datum d);
extern Datum logscore_sketch_flat(const ls_sketch *s);

/* sketch_type.c */
extern void logscore_check_sketch(ls_sketch_status status, const char *message);

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

extern void logscore_check_ewm(ls_ewm_status status);
extern LogscoreEwm *logscore_ewm_new(const ls_ewm *e);
extern LogscoreEwm *logscore_ewm_arg(FunctionCallInfo fcinfo, int argno);

#endif							/* LOGSCORE_H */
