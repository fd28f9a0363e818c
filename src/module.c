/*
 * module.c
 *	  The shared library's entry point: each glue file that needs set-up at
 *	  load time gets its Init function called from here.
 */
#include "postgres.h"

#include "fmgr.h"

#include "logscore.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	LogscoreSettingsInit();
	LogscoreSettingFormsInit();
}
