package arm.cli;

import arm.data.ContinualData;
import arm.method.Method;
import arm.method.Methods;
import arm.run.Checkpointer;
import arm.run.ProgressListener;
import arm.run.Recording;
import arm.run.RunResult;
import java.util.Map;

/**
 * A real method with a hook called after every training iteration with its global index g = run ·
 * max_t + t (run = seed − seed0, seed0 = 0), for tests that act at a chosen point of a command:
 * pause it for a SIGKILL, fill its disk, lock its files. The hook does not touch the training.
 */
final class HookedMethod implements Method {
    interface Hook {
        void after(long g);
    }

    private final Method inner;
    private final Hook hook;

    @Override
    public Method unwrap() {
        return inner.unwrap();
    }

    HookedMethod(Method inner, Hook hook) {
        this.inner = inner;
        this.hook = hook;
    }

    static MethodFactory factory(Hook hook) {
        return (name, options) -> new HookedMethod(Methods.create(name, options), hook);
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public boolean stationary() {
        return inner.stationary();
    }

    @Override
    public Map<String, String> options() {
        return inner.options();
    }

    @Override
    public RunResult run(ContinualData data, long seed, ProgressListener progress) {
        return inner.run(data, seed, wrap(progress, seed, data.numBatches()));
    }

    @Override
    public RunResult run(
            ContinualData data, long seed, ProgressListener progress, Recording recording) {
        return inner.run(data, seed, wrap(progress, seed, data.numBatches()), recording);
    }

    @Override
    public RunResult run(
            ContinualData data,
            long seed,
            ProgressListener progress,
            Recording recording,
            Checkpointer ck) {
        return inner.run(data, seed, wrap(progress, seed, data.numBatches()), recording, ck);
    }

    @Override
    public RunResult run(
            ContinualData data,
            long seed,
            ProgressListener progress,
            Recording recording,
            Checkpointer ck,
            arm.run.TrainLog log) {
        return inner.run(data, seed, wrap(progress, seed, data.numBatches()), recording, ck, log);
    }

    private ProgressListener wrap(ProgressListener p, long seed, int maxT) {
        return (t, m) -> {
            p.iterationDone(t, m);
            hook.after(seed * maxT + t);
        };
    }
}
