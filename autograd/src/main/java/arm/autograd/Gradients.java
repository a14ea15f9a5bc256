package arm.autograd;

import arm.tensor.Backends;
import arm.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** Gradient sink of one backward pass: which vars need a gradient, and the sums so far. */
public final class Gradients {
    private final Set<Var> needed;

    /** A var's sum so far; a taken one maps to null (cheaper than a removal's rehash). */
    private final Map<Var, Tensor> sums;

    /** The output gradient of the running node's backward, while nobody else holds it. */
    private Tensor lent;

    /** Where deferred leaf-gradient jobs go ({@link #later}), and the leaves that may use it. */
    private Consumer<Runnable> later;

    private Set<Var> deferrable = Set.of();

    Gradients(Set<Var> needed) {
        this.needed = needed;
        this.sums = new IdentityHashMap<>(needed.size());
    }

    /**
     * The needs-grad mask: false for inputs whose gradient nobody asked for (e.g. weights in
     * refinement).
     */
    public boolean needs(Var v) {
        return needed.contains(v);
    }

    /** Lets the leaves in {@code sole} (each fed by one node, once) take deferred gradients. */
    void deferring(Consumer<Runnable> jobs, Set<Var> sole) {
        later = jobs;
        deferrable = sole;
    }

    /**
     * Whether {@code v}'s gradient may be computed later ({@link #later}): this pass was given
     * somewhere to send such jobs, v is a leaf that needs a gradient and this node's is its only
     * term.
     */
    public boolean defers(Var v) {
        return later != null && needs(v) && deferrable.contains(v);
    }

    /**
     * Stores {@code g}, still to be filled by {@code fill}, as v's gradient (its only term, see
     * {@link #defers}) and hands fill on as a job: it must read only tensors that nothing writes
     * during the rest of the pass (a node's saved inputs and its output gradient).
     */
    public void later(Var v, Tensor g, Runnable fill) {
        if (!defers(v)) throw new IllegalStateException(v + " cannot take a deferred gradient");
        checkShape(v, g);
        sums.put(v, g);
        later.accept(fill);
    }

    /** Adds a gradient the caller made fresh for this call (ownership passes here). */
    public void add(Var v, Tensor g) {
        if (!needs(v)) return;
        checkShape(v, g);
        Tensor s = sums.get(v);
        if (s == null) sums.put(v, g);
        else Backends.of(s).axpy(1f, g, s);
    }

    /** Adds a gradient the caller still uses elsewhere (copied before it is stored). */
    public void addCopy(Var v, Tensor g) {
        if (!needs(v)) return;
        checkShape(v, g);
        Tensor s = sums.get(v);
        if (s == null) {
            Tensor c = Backends.of(g).empty(v.value.shape);
            Backends.of(g).copy(g, c);
            sums.put(v, c);
        } else Backends.of(s).axpy(1f, g, s);
    }

    /**
     * True once for the output gradient a node's backward was given when this pass owns it (an
     * intermediate's sum, no longer stored anywhere): the node may then {@link #add} it (or a view
     * of it) for one input instead of a copy. False for a gradient the caller keeps (a requested
     * var's) and after the first claim.
     */
    public boolean claim(Tensor dOut) {
        if (lent == null || dOut != lent) return false;
        lent = null;
        return true;
    }

    /** Run: dOut, which the pass owns and hands to the next backward, or null. */
    void lend(Tensor dOut) {
        lent = dOut;
    }

    private static void checkShape(Var v, Tensor g) {
        if (g.numel() != v.value.numel())
            throw new IllegalStateException("gradient " + g + " does not fit " + v);
    }

    Tensor take(Var v) {
        return sums.put(v, null);
    }

    Tensor get(Var v) {
        return sums.get(v);
    }

    void put(Var v, Tensor g) {
        sums.put(v, g);
    }
}
