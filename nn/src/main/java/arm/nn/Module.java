package arm.nn;

import arm.autograd.Var;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.Device;
import arm.tensor.Shape;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A network layer or a whole network, PyTorch's nn.Module in miniature.
 *
 * <p>A module owns, in registration order: its {@link Parameter}s, its buffers (state that is not
 * trained but travels with a copy, e.g. BatchNorm running statistics and counters; any state a copy
 * must carry lives in a buffer) and its child modules. Names are dotted paths ("fc1.weight"), so
 * the order and the names are stable for state copies, optimisers and checkpoints.
 *
 * <p>{@link #copyFrom} and {@link #copy} reproduce what ARM's f_old refresh needs from PyTorch's
 * deepcopy: parameter values, buffers and the train/eval flag of every submodule. Gradients are not
 * copied (f_old is never trained).
 *
 * <p>{@link #to} places a module on a device (PyTorch's .to(device)): parameters and buffers are
 * uploaded there, except "host buffers", small counters read on the CPU every forward. Layers are
 * built on the CPU (seeded init), then moved; build the optimiser after moving.
 */
public abstract class Module {
    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final Set<String> hostBuffers = new HashSet<>();
    private boolean training = true;

    /** The module's function. Modules switch behaviour on {@link #isTraining()} where they must. */
    public abstract Var forward(Var x);

    /**
     * A new module of the same architecture and hyperparameters; its values are overwritten by
     * {@link #copy}, so it may be initialised any way.
     */
    protected abstract Module blank();

    // ------------------------------------------------------------ registration (constructors)

    protected final Parameter param(String name, Tensor value) {
        checkName(name);
        Parameter p = new Parameter(name, value);
        params.put(name, p);
        return p;
    }

    protected final Tensor buffer(String name, Tensor value) {
        checkName(name);
        buffers.put(name, value);
        return value;
    }

    /**
     * A buffer that stays on the host whatever the module's device: a counter the forward reads as
     * a number (reading a device value would wait for the GPU every layer).
     */
    protected final Tensor hostBuffer(String name, Tensor value) {
        hostBuffers.add(name);
        return buffer(name, value);
    }

    /** The current value of one of this module's own buffers (replaced by {@link #to}). */
    protected final Tensor buffer(String name) {
        Tensor t = buffers.get(name);
        if (t == null) throw new IllegalArgumentException("no buffer '" + name + "'");
        return t;
    }

    /** Called by {@link #to} after this module's parameters and buffers were replaced. */
    protected void moved() {}

    protected final <M extends Module> M child(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty()
                || name.contains(".")
                || params.containsKey(name)
                || buffers.containsKey(name)
                || children.containsKey(name))
            throw new IllegalArgumentException("bad or duplicate member name '" + name + "'");
    }

    // ------------------------------------------------------------ mode

    /** Training mode for this module and all submodules (PyTorch's train()). */
    public final Module train() {
        return train(true);
    }

    /** Evaluation mode for this module and all submodules (PyTorch's eval()). */
    public final Module eval() {
        return train(false);
    }

    public final Module train(boolean on) {
        training = on;
        for (Module c : children.values()) c.train(on);
        return this;
    }

    public final boolean isTraining() {
        return training;
    }

    // ------------------------------------------------------------ device

    /**
     * Moves every parameter and buffer of the tree to {@code device} (host buffers excepted), in
     * place, and returns this. Tensors already there are kept; device copies left behind are freed.
     * Call it outside any {@link arm.tensor.Scope}: the new tensors must outlive it. Parameters get
     * new {@link Var}s, so optimisers built before the move would update the old ones.
     */
    public final Module to(Device device) {
        Backend be = Backends.get(device);
        for (Parameter p : params.values()) {
            Tensor moved = move(p.value(), be);
            if (moved != p.value()) p.var = Var.param(moved);
        }
        for (var e : buffers.entrySet())
            if (!hostBuffers.contains(e.getKey())) e.setValue(move(e.getValue(), be));
        moved();
        for (Module c : children.values()) c.to(device);
        return this;
    }

    private static Tensor move(Tensor t, Backend to) {
        if (t.device() == to.device()) return t;
        Tensor out = to.upload(t.toArray(), t.shape);
        if (t.device() != Device.CPU) t.close();
        return out;
    }

    /** Where the parameters live (CPU for a module without any). */
    public final Device device() {
        for (Parameter p : namedParameters().values()) return p.value().device();
        return Device.CPU;
    }

    // ------------------------------------------------------------ state

    /** Every parameter of the tree, depth-first in registration order, by dotted name. */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out, null);
        return Collections.unmodifiableMap(out);
    }

    /** Every buffer of the tree, depth-first in registration order, by dotted name. */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", null, out);
        return Collections.unmodifiableMap(out);
    }

    private void collect(String prefix, Map<String, Parameter> ps, Map<String, Tensor> bs) {
        if (ps != null) params.forEach((n, p) -> ps.put(prefix + n, p));
        if (bs != null) buffers.forEach((n, b) -> bs.put(prefix + n, b));
        children.forEach((n, c) -> c.collect(prefix + n + ".", ps, bs));
    }

    /** The parameters' Vars in {@link #namedParameters()} order (what an optimiser updates). */
    public final List<Var> parameters() {
        List<Var> out = new ArrayList<>();
        for (Parameter p : namedParameters().values()) out.add(p.var);
        return out;
    }

    /** Trainable scalars (buffers excluded), as PyTorch counts them. */
    public final long parameterCount() {
        long n = 0;
        for (Parameter p : namedParameters().values()) n += p.numel();
        return n;
    }

    /** Direct child modules by local name. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /**
     * Overwrites this module's parameters, buffers and train/eval flags with {@code src}'s, in
     * place (no allocation). Both must have the same architecture (same names and shapes).
     */
    public final void copyFrom(Module src) {
        copyTensors(src.namedParameters(), namedParameters(), "parameter");
        copyTensors(src.namedBuffers(), namedBuffers(), "buffer");
        copyModes(src, this);
    }

    /**
     * A deep copy on the same device: new storage for every parameter and buffer, same values and
     * modes. Allocates; on a device, call it outside an iteration's {@link arm.tensor.Scope}.
     */
    public final Module copy() {
        Module m = blank().to(device());
        m.copyFrom(this);
        return m;
    }

    private static void copyModes(Module src, Module dst) {
        dst.training = src.training;
        for (var e : dst.children.entrySet()) copyModes(src.children.get(e.getKey()), e.getValue());
    }

    private static <T> void copyTensors(Map<String, T> from, Map<String, T> to, String what) {
        if (!from.keySet().equals(to.keySet()))
            throw new IllegalArgumentException(
                    "cannot copy modules with different "
                            + what
                            + "s: "
                            + from.keySet()
                            + " vs "
                            + to.keySet());
        for (var e : to.entrySet()) {
            Tensor s = tensor(from.get(e.getKey())), d = tensor(e.getValue());
            if (!Shape.same(s.shape, d.shape))
                throw new IllegalArgumentException(
                        what
                                + " "
                                + e.getKey()
                                + ": shape "
                                + Shape.str(s.shape)
                                + " vs "
                                + Shape.str(d.shape));
            copyAcross(s, d);
        }
    }

    /** d = s, through a host copy when they live on different devices. */
    private static void copyAcross(Tensor s, Tensor d) {
        Backend be = Backends.of(d);
        if (s.device() == d.device()) {
            be.copy(s, d);
            return;
        }
        Tensor tmp = be.upload(s.toArray(), s.shape);
        be.copy(tmp, d);
        if (tmp.device() != Device.CPU) tmp.close();
    }

    private static Tensor tensor(Object o) {
        return o instanceof Parameter p ? p.value() : (Tensor) o;
    }
}
