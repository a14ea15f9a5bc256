package arm.autograd;

import arm.tensor.Backends;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reverse-mode differentiation over the graph hanging from a loss. There is no global tape: a graph
 * is reachable only from its outputs, so it is garbage once they are dropped.
 *
 * <ul>
 *   <li>{@link #grad(Var, Var...)} returns d loss / d wrt for exactly the requested vars and runs
 *       only the backward work on paths to them (no weight-gradient GEMMs when only an input
 *       gradient is asked for).
 *   <li>{@link #backward(Var)} accumulates into {@code grad} of every reachable leaf that requires
 *       it, PyTorch style; zeroing is explicit.
 * </ul>
 */
public final class Autograd {
    private static final ThreadLocal<int[]> NO_GRAD = ThreadLocal.withInitial(() -> new int[1]);

    private Autograd() {}

    public static boolean gradEnabled() {
        return NO_GRAD.get()[0] == 0;
    }

    /**
     * Within the returned scope, ops record no graph. {@code try (var ng = Autograd.noGrad()) {…}}
     */
    public static AutoCloseable0 noGrad() {
        int[] depth = NO_GRAD.get();
        depth[0]++;
        return () -> depth[0]--;
    }

    /** AutoCloseable without a checked exception. */
    public interface AutoCloseable0 extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Gradients of a scalar loss with respect to each of {@code wrt}, in order (zeros for a var the
     * loss does not depend on). Each wrt must be tracked: a {@link Var#constant} records no graph,
     * so its gradient would silently be zero.
     */
    public static Tensor[] grad(Var loss, Var... wrt) {
        if (loss.value.numel() != 1)
            throw new IllegalArgumentException("loss must be a scalar, got " + loss);
        Tensor seed = Backends.of(loss.value).empty(loss.value.shape);
        Backends.of(seed).fill(seed, 1f);
        return grad(new Var[] {loss}, new Tensor[] {seed}, true, wrt);
    }

    /**
     * Gradients with respect to each of {@code wrt} of Σ_i ⟨outputs[i], seeds[i]⟩, where seeds[i]
     * is a given d loss / d outputs[i] (shaped like it): the backward half of a graph cut at its
     * outputs, PyTorch's {@code torch.autograd.grad(outputs, wrt, grad_outputs)}. The seeds are
     * read, never written or kept.
     */
    public static Tensor[] grad(Var[] outputs, Tensor[] seeds, Var... wrt) {
        if (outputs.length != seeds.length)
            throw new IllegalArgumentException(
                    outputs.length + " outputs but " + seeds.length + " seeds");
        for (int i = 0; i < outputs.length; i++)
            if (seeds[i].numel() != outputs[i].value.numel())
                throw new IllegalArgumentException(
                        "seed " + seeds[i] + " does not fit output " + outputs[i]);
        return grad(outputs, seeds, false, wrt);
    }

    private static Tensor[] grad(Var[] outputs, Tensor[] seeds, boolean fresh, Var... wrt) {
        for (Var v : wrt)
            if (!v.tracked())
                throw new IllegalArgumentException(
                        v
                                + " is a constant; make it with Var.param to differentiate with"
                                + " respect to it");
        Set<Var> targets = Collections.newSetFromMap(new IdentityHashMap<>());
        Collections.addAll(targets, wrt);
        Gradients g = run(outputs, seeds, fresh, targets);
        Tensor[] out = new Tensor[wrt.length];
        for (int i = 0; i < wrt.length; i++) {
            Tensor t = g.get(wrt[i]);
            out[i] = t != null ? t : Backends.of(wrt[i].value).zeros(wrt[i].value.shape);
        }
        return out;
    }

    /**
     * Accumulates d loss / d leaf into {@code leaf.grad} for every reachable leaf that requires
     * grad.
     */
    public static void backward(Var loss) {
        backward(loss, null).run();
    }

    /**
     * {@link #backward(Var)} with the gradients that only feed leaves (a convolution's weight
     * gradient, {@link Gradients#later}) handed to {@code later} as jobs instead of computed in the
     * pass, so that another thread can compute them beside it: the jobs read tensors of the pass
     * that nothing writes any more, each fills a tensor of its own, and the bits are those of
     * {@link #backward(Var)} whichever thread runs them. Runs the pass and returns what remains:
     * accumulating the leaves' gradients into {@code grad}, to be run once every job has run.
     * {@code later} null: nothing is deferred.
     */
    public static Runnable backward(Var loss, Consumer<Runnable> later) {
        if (loss.value.numel() != 1)
            throw new IllegalArgumentException("loss must be a scalar, got " + loss);
        Set<Var> leaves = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Var v : topoOrder(loss)) if (v.node == null && v.requiresGrad) leaves.add(v);
        Tensor seed = Backends.of(loss.value).empty(loss.value.shape);
        Backends.of(seed).fill(seed, 1f);
        Gradients g = run(new Var[] {loss}, new Tensor[] {seed}, true, leaves, later);
        return () -> {
            for (Var leaf : leaves) {
                Tensor t = g.get(leaf);
                if (t == null) continue;
                if (leaf.grad == null) leaf.grad = t;
                else Backends.of(t).axpy(1f, t, leaf.grad);
            }
        };
    }

    /**
     * The backward pass from {@code roots}, each seeded with its gradient: the caller's seeds are
     * copied before anything may add to them or claim them; a {@code fresh} seed (made for this
     * pass) is used as it is.
     */
    private static Gradients run(Var[] roots, Tensor[] seeds, boolean fresh, Set<Var> targets) {
        return run(roots, seeds, fresh, targets, null);
    }

    private static Gradients run(
            Var[] roots,
            Tensor[] seeds,
            boolean fresh,
            Set<Var> targets,
            Consumer<Runnable> later) {
        List<Var> order = topoOrder(roots);
        Set<Var> needed = Collections.newSetFromMap(new IdentityHashMap<>(order.size()));
        for (Var v : order) { // inputs come before outputs in topological order
            if (targets.contains(v)) needed.add(v);
            else if (v.node != null)
                for (Var in : v.node.inputs)
                    if (needed.contains(in)) {
                        needed.add(v);
                        break;
                    }
        }
        Gradients g = new Gradients(needed);
        if (later != null) g.deferring(later, soleInputs(order));
        for (int i = 0; i < roots.length; i++) {
            if (!needed.contains(roots[i])) continue;
            if (fresh) g.add(roots[i], seeds[i]);
            else g.addCopy(roots[i], seeds[i]);
        }
        for (int i = order.size() - 1; i >= 0; i--) {
            Var v = order.get(i);
            if (v.node == null || !feedsNeeded(v.node, g)) continue;
            // a requested intermediate keeps its gradient and still passes it on to requested vars
            // below it; other intermediate gradients are dropped as soon as they are used
            boolean kept = targets.contains(v);
            Tensor dOut = kept ? g.get(v) : g.take(v);
            if (dOut == null) continue;
            g.lend(kept ? null : dOut);
            v.node.backward(dOut, g);
            g.lend(null);
        }
        return g;
    }

    /** The leaves that are an input of exactly one node, once (their gradient has one term). */
    private static Set<Var> soleInputs(List<Var> order) {
        Map<Var, Integer> uses = new IdentityHashMap<>();
        for (Var v : order)
            if (v.node != null) for (Var in : v.node.inputs) uses.merge(in, 1, Integer::sum);
        Set<Var> sole = Collections.newSetFromMap(new IdentityHashMap<>());
        uses.forEach(
                (v, n) -> {
                    if (n == 1 && v.node == null) sole.add(v);
                });
        return sole;
    }

    private static boolean feedsNeeded(Node node, Gradients g) {
        for (Var in : node.inputs) if (g.needs(in)) return true;
        return false;
    }

    /**
     * Vars reachable from the roots, every input before the vars computed from it (the roots taken
     * in turn).
     */
    static List<Var> topoOrder(Var... roots) {
        int hint = orderHint;
        List<Var> order = new ArrayList<>(hint);
        Map<Var, Boolean> seen = new IdentityHashMap<>(hint);
        // a depth-first walk: vars[top] is on the path, next[top] the index of its next input
        Var[] vars = new Var[64];
        int[] next = new int[64];
        for (Var root : roots) {
            if (seen.put(root, true) != null) continue;
            int top = 0;
            vars[0] = root;
            next[0] = 0;
            while (top >= 0) {
                Var v = vars[top];
                Var[] ins = v.node == null ? NO_INPUTS : v.node.inputs;
                int i = next[top];
                if (i < ins.length) {
                    next[top] = i + 1;
                    if (seen.put(ins[i], true) == null) {
                        if (++top == vars.length) {
                            vars = Arrays.copyOf(vars, 2 * top);
                            next = Arrays.copyOf(next, 2 * top);
                        }
                        vars[top] = ins[i];
                        next[top] = 0;
                    }
                } else {
                    vars[top--] = null;
                    order.add(v);
                }
            }
        }
        if (order.size() > hint) orderHint = Math.min(order.size(), MAX_HINT);
        return order;
    }

    /**
     * The largest graph walked so far (at least 256 vars, at most {@link #MAX_HINT}): the walk's
     * list and seen-map start at that size instead of growing and rehashing step by step (an MNIST
     * recall step's graph has several hundred vars). Only a size hint, so a race between threads
     * (Pair's two graphs) is harmless.
     */
    private static volatile int orderHint = 256;

    private static final int MAX_HINT = 1 << 14;

    private static final Var[] NO_INPUTS = {};
}
