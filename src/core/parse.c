/*
 * parse.c
 *	  Parses pipeline text ("scale(2) | modsquare(7, 5)") into the compiled
 *	  form, and writes a compiled step back as text ("modsquare(7, 5)").
 *
 * Grammar:  pipeline := stage ( '|' stage )*
 *           stage    := name [ '(' [ integer ( ',' integer )* ] ')' ]
 * Whitespace is free between tokens; names are case-insensitive.  Every error
 * carries the byte offset where it was found.
 */
#include "pipeline.h"

#include <stdio.h>
#include <string.h>

typedef struct parser
{
	const char *text;
	size_t		len;
	size_t		pos;
	ls_pipeline *out;
	ls_error   *err;
} parser;

static bool parse_pipeline(parser *ps, int depth);

static void
skip_space(parser *ps)
{
	while (ps->pos < ps->len &&
		   (ps->text[ps->pos] == ' ' || ps->text[ps->pos] == '\t' ||
			ps->text[ps->pos] == '\n' || ps->text[ps->pos] == '\r'))
		ps->pos++;
}

static bool
at(parser *ps, char c)
{
	return ps->pos < ps->len && ps->text[ps->pos] == c;
}

static bool
is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* An optionally signed decimal integer that must fit in int64. */
static bool
parse_integer(parser *ps, int64_t *value)
{
	size_t		start = ps->pos;
	bool		negative = false;
	uint64_t	magnitude = 0;
	uint64_t	limit;

	if (at(ps, '+') || at(ps, '-'))
		negative = ps->text[ps->pos++] == '-';
	if (ps->pos >= ps->len || !is_digit(ps->text[ps->pos]))
		return ls_error_set(ps->err, LS_ERROR_INVALID, start, "expected an integer argument");

	limit = negative ? (uint64_t) INT64_MAX + 1 : (uint64_t) INT64_MAX;
	while (ps->pos < ps->len && is_digit(ps->text[ps->pos]))
	{
		unsigned	digit = (unsigned) (ps->text[ps->pos] - '0');

		if (magnitude > (limit - digit) / 10)
			return ls_error_set(ps->err, LS_ERROR_INVALID, start,
								"argument is out of range for type bigint");
		magnitude = magnitude * 10 + digit;
		ps->pos++;
	}
	if (ps->pos < ps->len &&
		(ps->text[ps->pos] == '.' || ps->text[ps->pos] == 'e' ||
		 ps->text[ps->pos] == 'E' || is_name_start(ps->text[ps->pos])))
		return ls_error_set(ps->err, LS_ERROR_INVALID, start, "argument must be an integer");

	*value = negative ? (int64_t) (0 - magnitude) : (int64_t) magnitude;
	return true;
}

/* '(' [ integer (',' integer)* ] ')' when present; returns the count read. */
static bool
parse_arguments(parser *ps, int64_t *args, size_t *argpos, int *nargs)
{
	*nargs = 0;
	skip_space(ps);
	if (!at(ps, '('))
		return true;
	ps->pos++;
	skip_space(ps);
	if (at(ps, ')'))
	{
		ps->pos++;
		return true;
	}
	for (;;)
	{
		int64_t		value = 0;

		skip_space(ps);
		if (*nargs < LS_MAX_ARGS)
			argpos[*nargs] = ps->pos;
		if (!parse_integer(ps, &value))
			return false;
		if (*nargs < LS_MAX_ARGS)
			args[*nargs] = value;
		(*nargs)++;
		skip_space(ps);
		if (at(ps, ')'))
		{
			ps->pos++;
			return true;
		}
		if (!at(ps, ','))
			return ls_error_set(ps->err, LS_ERROR_INVALID, ps->pos,
								"expected \",\" or \")\" in the argument list");
		ps->pos++;
	}
}

/*
 * Appends the stages an alias names.  Alias texts are fixed and valid, so the
 * only way this fails is by making the pipeline too long.
 */
static bool
expand_alias(parser *ps, const char *pipeline, size_t name_start, int depth)
{
	parser		inner = *ps;
	ls_error	inner_err;

	inner.text = pipeline;
	inner.len = strlen(pipeline);
	inner.pos = 0;
	inner.err = &inner_err;
	if (depth > 0 || !parse_pipeline(&inner, depth + 1))
		return ls_error_set(ps->err, LS_ERROR_LIMIT, name_start,
							"pipeline has more than %d stages", LS_MAX_STEPS);
	return true;
}

static bool
parse_stage(parser *ps, int depth)
{
	size_t		name_start;
	size_t		name_len;
	const ls_stage *stage;
	const char *alias;
	int64_t		args[LS_MAX_ARGS] = {0};
	size_t		argpos[LS_MAX_ARGS] = {0};
	int			nargs;
	char		name[64];

	skip_space(ps);
	name_start = ps->pos;
	if (ps->pos >= ps->len || ps->text[ps->pos] == '|')
	{
		if (ps->out->nsteps == 0 && ps->pos >= ps->len)
			return ls_error_set(ps->err, LS_ERROR_INVALID, name_start, "pipeline is empty");
		if (ps->pos >= ps->len)
			return ls_error_set(ps->err, LS_ERROR_INVALID, name_start,
								"pipeline ends with \"|\"; a stage must follow it");
		return ls_error_set(ps->err, LS_ERROR_INVALID, name_start, "empty stage before \"|\"");
	}
	if (!is_name_start(ps->text[ps->pos]))
		return ls_error_set(ps->err, LS_ERROR_INVALID, name_start, "expected a stage name");
	while (ps->pos < ps->len &&
		   (is_name_start(ps->text[ps->pos]) || is_digit(ps->text[ps->pos])))
		ps->pos++;
	name_len = ps->pos - name_start;
	snprintf(name, sizeof(name), "%.*s%s", (int) (name_len < 60 ? name_len : 60),
			 ps->text + name_start, name_len > 60 ? "..." : "");

	stage = ls_stage_lookup(ps->text + name_start, name_len);
	alias = stage ? NULL : ls_alias_lookup(ps->text + name_start, name_len);
	if (stage == NULL && alias == NULL)
		return ls_error_set(ps->err, LS_ERROR_INVALID, name_start, "unknown stage \"%s\"", name);

	if (!parse_arguments(ps, args, argpos, &nargs))
		return false;

	if (alias != NULL)
	{
		if (nargs != 0)
			return ls_error_set(ps->err, LS_ERROR_INVALID, name_start,
								"\"%s\" names a whole pipeline and takes no arguments", name);
		return expand_alias(ps, alias, name_start, depth);
	}

	if (nargs != stage->nargs && stage->nargs == 0)
		return ls_error_set(ps->err, LS_ERROR_INVALID, name_start,
							"stage \"%s\" takes no arguments, got %d", stage->name, nargs);
	if (nargs != stage->nargs)
		return ls_error_set(ps->err, LS_ERROR_INVALID, name_start,
							"stage \"%s\" takes %d argument%s (%s), got %d",
							stage->name, stage->nargs, stage->nargs == 1 ? "" : "s",
							stage->params, nargs);
	if (stage->check != NULL)
	{
		const char *message = NULL;
		int			bad = stage->check(args, &message);

		if (bad >= 0)
			return ls_error_set(ps->err, LS_ERROR_INVALID, argpos[bad], "%s: %s",
								stage->name, message);
	}

	if (ps->out->nsteps >= LS_MAX_STEPS)
		return ls_error_set(ps->err, LS_ERROR_LIMIT, name_start,
							"pipeline has more than %d stages", LS_MAX_STEPS);
	ls_step_init(&ps->out->steps[ps->out->nsteps], stage, args);
	ps->out->nsteps++;
	return true;
}

static bool
parse_pipeline(parser *ps, int depth)
{
	for (;;)
	{
		if (!parse_stage(ps, depth))
			return false;
		skip_space(ps);
		if (ps->pos >= ps->len)
			return true;
		if (!at(ps, '|'))
			return ls_error_set(ps->err, LS_ERROR_INVALID, ps->pos,
								"unexpected text after a stage; expected \"|\" or the end");
		ps->pos++;
	}
}

bool
ls_pipeline_parse(const char *text, size_t len, ls_pipeline *out, ls_error *err)
{
	parser		ps = {text, len, 0, out, err};

	memset(out, 0, sizeof(*out));
	ls_error_clear(err);
	if (parse_pipeline(&ps, 0))
		return true;
	ls_error_hint(err, "logscore_stages() lists the stages and their parameters.");
	return false;
}

int
ls_step_format(const ls_step *step, char *buf, size_t size)
{
	const ls_stage *stage = step->stage;

	switch (stage->nargs)
	{
		case 0:
			return snprintf(buf, size, "%s", stage->name);
		case 1:
			return snprintf(buf, size, "%s(%lld)", stage->name,
							(long long) step->args[0]);
		default:
			return snprintf(buf, size, "%s(%lld, %lld)", stage->name,
							(long long) step->args[0], (long long) step->args[1]);
	}
}
