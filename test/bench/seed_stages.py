# test/bench/seed_stages.py: the founding document's three programs
# ("When Speed Meets Structure"), the harness's own copy of
# ../shared/seed-stages.py so that it runs from a fresh clone.
#
# The classes and functions below are the document's, verbatim.  Only the
# data source changed: the values come from a file, one integer a line (the
# harness exports events.value there with COPY), or are 0..N-1 as in the
# document when the argument is a number.  Only the scoring is timed, from
# the list of values in memory to the total, pool start-up included, as the
# document's programs start their pools themselves.  Run as:
#   python3 seed_stages.py {1|2|3} VALUES_FILE_OR_N
# and it prints one line: total=T seconds=S values=N
#
# The harness also builds its PL/Python candidate from the "Stage 2" section
# of this file (the lines from "# Stage 2" to "# Stage 3"), so keep those
# markers.
import multiprocessing as mp
import sys
import time


# Stage 1: speed without structure
def pipeline(data):
    results = []
    for x in data:
        y = x * 2
        if y % 7 == 0:
            score = y ** 2
        else:
            score = y + 5
        results.append(score)
    return results


# Stage 2: structure without speed
class Transformer:
    def apply(self, x):
        return x * 2


class Scorer:
    def score(self, x):
        if x % 7 == 0:
            return x ** 2
        return x + 5


class Pipeline:
    def __init__(self, transformer, scorer):
        self.transformer = transformer
        self.scorer = scorer

    def run(self, data):
        out = []
        for x in data:
            y = self.transformer.apply(x)
            out.append(self.scorer.score(y))
        return out


# Stage 3: structure + speed
class Worker:
    def __init__(self):
        self.transformer = Transformer()
        self.scorer = Scorer()

    def process(self, chunk):
        out = []
        for x in chunk:
            y = self.transformer.apply(x)
            out.append(self.scorer.score(y))
        return out


def run_worker(chunk):
    w = Worker()
    return w.process(chunk)


def read_values(source):
    """The values to score: 0..N-1 for a number, else one integer a line."""
    if source.isdigit():
        return list(range(int(source)))
    with open(source) as f:
        return [int(line) for line in f]


if __name__ == "__main__":
    stage = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    data = read_values(sys.argv[2] if len(sys.argv) > 2 else "1000000")
    t0 = time.perf_counter()
    chunks = [data[i:i + 100_000] for i in range(0, len(data), 100_000)]
    if stage == 1:
        with mp.Pool() as pool:
            output = pool.map(pipeline, chunks)
        total = sum(sum(c) for c in output)
    elif stage == 2:
        total = sum(Pipeline(Transformer(), Scorer()).run(data))
    else:
        with mp.Pool() as pool:
            result = pool.map(run_worker, chunks)
        total = sum(sum(c) for c in result)
    seconds = time.perf_counter() - t0
    print(f"total={total} seconds={seconds:.6f} values={len(data)}")
