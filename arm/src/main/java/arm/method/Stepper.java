package arm.method;

import arm.data.ContinualData;
import arm.nn.Module;
import arm.nn.Sgd;
import arm.run.LossLog;
import arm.run.RunState;
import arm.tensor.Device;
import arm.tensor.Scope;

/**
 * Drives a method's training one iteration at a time, without evaluation: for benchmarks, profiling
 * and experiments. Built exactly as {@link Method#run} builds a run (same seeding), so stepping t =
 * 0 … max_t−1 trains the same model.
 */
public final class Stepper {
    private final ContinualData data;
    private final Module fCur;
    private final ContinualMethod.Learner learner;
    private final Sgd opt;
    private final Device device;
    private final boolean[] seen;
    private int lastTask = -1;

    Stepper(
            ContinualData data,
            Module fCur,
            Sgd opt,
            Device device,
            ContinualMethod.Learner learner) {
        this.data = data;
        this.fCur = fCur;
        this.learner = learner;
        this.opt = opt;
        this.device = device;
        this.seen = new boolean[data.numClasses()];
    }

    /** A fresh run of {@code method} (from {@link Methods#create}) on {@code data}. */
    public static Stepper create(Method method, ContinualData data, long seed) {
        if (!(method instanceof ContinualMethod m))
            throw new IllegalArgumentException(method.name() + " was not made by Methods.create");
        return m.start(data, seed);
    }

    /**
     * Trains iteration t on stream batch {@code t mod max_t}. Call with t = 0, 1, 2, …: the lag and
     * recall_from_t rules read t.
     */
    public void train(int t) {
        train(t, null);
    }

    /** {@link #train(int)}, collecting the iteration's losses into {@code log} (null: none). */
    void train(int t, LossLog log) {
        ContinualMethod.Batch b;
        try (Scope s = Scope.open()) { // frees the iteration's device tensors (nothing on the CPU)
            b = ContinualMethod.batch(data, t % data.numBatches(), t, seen, device);
            fCur.train();
            if (log != null) log.start();
            try {
                learner.train(b);
            } finally {
                if (log != null) log.stop();
            }
            if (device != Device.CPU) opt.zeroGrad(); // the gradients' storage dies with the scope
        }
        for (int c : b.y()) seen[c] = true;
        lastTask = data.taskOf(b.y()[0]);
    }

    /** The SGD learning rate η0. */
    public float lr() {
        return opt.lr();
    }

    /** Labels of the batches trained so far, ascending. */
    public int[] seenClasses() {
        return ContinualMethod.indices(seen);
    }

    /** Task of the last batch trained, −1 before the first. */
    public int lastTask() {
        return lastTask;
    }

    /** The method's per-run state (for recorders and analyses). */
    ContinualMethod.Learner learner() {
        return learner;
    }

    /** Which classes the batches trained so far held, by label (a copy). */
    boolean[] seen() {
        return seen.clone();
    }

    /** Where the run's tensors live (the method's device option). */
    public Device device() {
        return device;
    }

    /** f_cur. */
    public Module model() {
        return fCur;
    }

    /** The run's state at the top of iteration t (see {@link RunState}). */
    RunState snapshot(
            int t,
            boolean complete,
            java.util.List<arm.metrics.EvalPoint> evals,
            double trainSeconds,
            double evalSeconds) {
        java.util.Map<String, arm.tensor.Tensor> tensors =
                new java.util.LinkedHashMap<>(ContinualMethod.tensorsOf(fCur, "f_cur."));
        for (var e : learner.stateTensors().entrySet())
            if (tensors.put(e.getKey(), e.getValue()) != null)
                throw new IllegalStateException(
                        "learner state tensor " + e.getKey() + " clashes with f_cur's");
        return new RunState(
                t,
                complete,
                tensors,
                learner.stateValues(),
                seenClasses(),
                lastTask,
                evals,
                trainSeconds,
                evalSeconds);
    }

    /**
     * Puts a saved state into this freshly built run: restores the learner's values, copies every
     * tensor into the live one of the same name (the names and shapes must match exactly), restores
     * the seen classes and the last task.
     *
     * @throws IllegalArgumentException the state does not belong to a run of this shape
     */
    void restore(RunState s) {
        learner.restoreState(s.values(), s.tensors());
        java.util.Map<String, arm.tensor.Tensor> live =
                new java.util.LinkedHashMap<>(ContinualMethod.tensorsOf(fCur, "f_cur."));
        live.putAll(learner.stateTensors());
        if (!live.keySet().equals(s.tensors().keySet())) {
            java.util.Set<String> missing = new java.util.TreeSet<>(live.keySet()),
                    extra = new java.util.TreeSet<>(s.tensors().keySet());
            missing.removeAll(s.tensors().keySet());
            extra.removeAll(live.keySet());
            throw new IllegalArgumentException(
                    "checkpoint tensors do not match this run: missing "
                            + missing
                            + ", unexpected "
                            + extra);
        }
        for (var e : live.entrySet()) {
            arm.tensor.Tensor src = s.tensors().get(e.getKey()), dst = e.getValue();
            if (!arm.tensor.Shape.same(src.shape, dst.shape))
                throw new IllegalArgumentException(
                        "checkpoint tensor "
                                + e.getKey()
                                + " has shape "
                                + arm.tensor.Shape.str(src.shape)
                                + ", this run's has "
                                + arm.tensor.Shape.str(dst.shape));
            arm.tensor.Backend b = arm.tensor.Backends.of(dst);
            try (Scope sc =
                    Scope.open()) { // frees the uploaded copy of a host value (nothing on the CPU)
                b.copy(
                        src.device().equals(dst.device())
                                ? src
                                : b.upload(src.toArray(), src.shape),
                        dst);
            }
        }
        java.util.Arrays.fill(seen, false);
        for (int c : s.seenClasses()) {
            if (c < 0 || c >= seen.length)
                throw new IllegalArgumentException(
                        "checkpoint seen class " + c + " is outside 0.." + (seen.length - 1));
            seen[c] = true;
        }
        if (s.lastTask() < -1 || s.lastTask() >= data.numTasks())
            throw new IllegalArgumentException(
                    "checkpoint last task "
                            + s.lastTask()
                            + " is outside -1.."
                            + (data.numTasks() - 1));
        lastTask = s.lastTask();
    }
}
