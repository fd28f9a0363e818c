/*
 * aggregate_memory.c
 *	  The memory aggregates share: an ls_allocator over a memory context, for
 *	  the core, and the one context all sketch states of an aggregate share.
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "logscore.h"

/*
 * Huge allocations: the window scores keep every row of a GROUP BY, and a
 * few hundred million rows are more than 1 GB, which should fail, if it
 * fails, as out of memory rather than as an invalid request size.
 */
static void *
context_alloc(void *context, size_t size)
{
	return MemoryContextAllocExtended((MemoryContext) context, size, MCXT_ALLOC_HUGE);
}

static void
context_release(void *context, void *pointer)
{
	pfree(pointer);
}

void
logscore_allocator_init(ls_allocator *allocator, MemoryContext context)
{
	allocator->alloc = context_alloc;
	allocator->release = context_release;
	allocator->context = context;
}

/*
 * All sketches an aggregate keeps in one aggregate context share one memory
 * context, a child of it.  One context per group would be simpler, but hash
 * aggregation measures its memory across every child context each time it
 * adds a group, which made many small groups quadratic (100 times slower at
 * 67,000 groups).
 *
 * The shared context is found by its aggregate context, in a list of the
 * backend's live ones (grouping sets and nested aggregates have several; the
 * list is short).  Each entry lives in its aggregate context and leaves the
 * list when that context is reset or deleted, so nothing here outlives what
 * it describes.  Not fn_extra: a caller may build a fresh FmgrInfo, in a
 * short-lived context, for every row (Citus's worker_partial_agg and
 * coord_combine_agg do), and a reset callback kept in that memory would be
 * left dangling in the aggregate context's callback list.
 *
 * This depends on an invariant of the transition functions (sketch_agg.c):
 * given a read-write expanded state, a transition returns that very object,
 * changed in place, never another one.  The executor keeps a returned
 * read-write object as the state, without a copy, when its context's parent
 * is the aggregate context, which the shared context's is; but when a
 * transition returns anything other than the read-write state it was given,
 * the executor frees that old state with DeleteExpandedObject, which deletes
 * the object's memory context: here the shared one, and with it the state
 * of every group.  (nodeAgg.c's ExecAggTransReparent and nodeWindowAgg.c do
 * this; one context per group would have made it harmless.)
 */
typedef struct AggregateStates
{
	MemoryContext aggcontext;
	MemoryContext states;
	MemoryContextCallback on_reset;
	struct AggregateStates *next;
} AggregateStates;

static AggregateStates *live_states = NULL;

static void
forget_states(void *arg)
{
	AggregateStates **link;

	for (link = &live_states; *link != NULL; link = &(*link)->next)
		if (*link == (AggregateStates *) arg)
		{
			*link = (*link)->next;
			return;
		}
}

MemoryContext
logscore_aggregate_states(MemoryContext aggcontext)
{
	AggregateStates *entry;

	for (entry = live_states; entry != NULL; entry = entry->next)
		if (entry->aggcontext == aggcontext)
			return entry->states;

	entry = MemoryContextAllocZero(aggcontext, sizeof(AggregateStates));
	entry->aggcontext = aggcontext;
	entry->states = AllocSetContextCreate(aggcontext, "logscore_sketch states",
										  ALLOCSET_DEFAULT_SIZES);
	entry->on_reset.func = forget_states;
	entry->on_reset.arg = entry;
	MemoryContextRegisterResetCallback(aggcontext, &entry->on_reset);
	entry->next = live_states;
	live_states = entry;
	return entry->states;
}
