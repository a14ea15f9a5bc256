package arm.cli;

import arm.data.ContinualData;
import arm.method.Method;
import arm.metrics.EvalPoint;
import arm.run.ProgressListener;
import arm.run.RunResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A method that trains nothing but reports a scripted accuracy history, so the CLI can be tested
 * end to end in milliseconds. At every evaluation the current task's classes score 0.9 and every
 * older task 0.5 + 0.01·seed (test; val is 0.05 lower); unseen classes 0. Final values for seed s
 * and 5 tasks: accuracy (4·(0.5+0.01s) + 0.9)/5, forgetting 0.4 − 0.01s.
 *
 * <p>Options: M (positive integer), lr (non-negative), failSeed (this seed throws), rng (recorded).
 */
final class FakeMethod implements Method {
    final String name;
    final Map<String, String> options;

    FakeMethod(String name, Map<String, String> options) {
        for (var e : options.entrySet()) {
            switch (e.getKey()) {
                case "M" -> {
                    if (Integer.parseInt(e.getValue()) <= 0)
                        throw new IllegalArgumentException(
                                "M must be positive, got " + e.getValue());
                }
                case "lr" -> {
                    if (Double.parseDouble(e.getValue()) < 0)
                        throw new IllegalArgumentException(
                                "lr must be non-negative, got " + e.getValue());
                }
                case "failSeed", "rng" -> {}
                default ->
                        throw new IllegalArgumentException("unknown option '" + e.getKey() + "'");
            }
        }
        this.name = name;
        this.options = Map.copyOf(options);
    }

    static Method create(String name, Map<String, String> options) {
        return new FakeMethod(arm.method.Methods.canonical(name), options);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean stationary() {
        return name.equals("Stationary");
    }

    @Override
    public Map<String, String> options() {
        return options;
    }

    @Override
    public RunResult run(ContinualData d, long seed, ProgressListener progress) {
        if (String.valueOf(seed).equals(options.get("failSeed")))
            throw new IllegalStateException("scripted failure for seed " + seed);
        int T = d.batchesPerTask(), maxT = d.numBatches();
        List<EvalPoint> evals = new ArrayList<>();
        TreeSet<Integer> seen = new TreeSet<>();
        int last = -1;
        for (int t = 0; t <= maxT; t++) {
            if (t % T == 0) evals.add(point(d, t, seen, last, seed));
            if (t == maxT) break;
            for (int y : d.train().labels(d.batch(t))) seen.add(y);
            last = d.taskOf(d.train().labels()[d.batch(t)[0]]);
            progress.iterationDone(t, maxT);
        }
        return new RunResult(evals, 0.25, 0.05);
    }

    private static EvalPoint point(
            ContinualData d, int t, TreeSet<Integer> seen, int last, long seed) {
        double[] test = new double[d.numClasses()], val = new double[d.numClasses()];
        for (int c : seen) {
            test[c] = d.taskOf(c) == last ? 0.9 : 0.5 + 0.01 * seed;
            val[c] = test[c] - 0.05;
        }
        int[] s = seen.stream().mapToInt(Integer::intValue).toArray();
        return new EvalPoint(
                t,
                s,
                last,
                val,
                test,
                Arrays.stream(val).average().orElse(0),
                Arrays.stream(test).average().orElse(0));
    }
}
