package arm.autograd;

import arm.tensor.Backends;
import arm.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
        for (Var v : wrt)
            if (!v.tracked())
                throw new IllegalArgumentException(
                        v
                                + " is a constant; make it with Var.param to differentiate with"
                                + " respect to it");
        Set<Var> targets = Collections.newSetFromMap(new IdentityHashMap<>());
        Collections.addAll(targets, wrt);
        Gradients g = run(loss, targets);
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
        Set<Var> leaves = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Var v : topoOrder(loss)) if (v.node == null && v.requiresGrad) leaves.add(v);
        Gradients g = run(loss, leaves);
        for (Var leaf : leaves) {
            Tensor t = g.get(leaf);
            if (t == null) continue;
            if (leaf.grad == null) leaf.grad = t;
            else Backends.of(t).axpy(1f, t, leaf.grad);
        }
    }

    private static Gradients run(Var loss, Set<Var> targets) {
        if (loss.value.numel() != 1)
            throw new IllegalArgumentException("loss must be a scalar, got " + loss);
        List<Var> order = topoOrder(loss);
        Set<Var> needed = Collections.newSetFromMap(new IdentityHashMap<>());
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
        if (!needed.contains(loss)) return g;
        Tensor seed = Backends.of(loss.value).empty(loss.value.shape);
        Backends.of(seed).fill(seed, 1f);
        g.put(loss, seed);
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

    private static boolean feedsNeeded(Node node, Gradients g) {
        for (Var in : node.inputs) if (g.needs(in)) return true;
        return false;
    }

    /** Vars reachable from root, every input before the vars computed from it. */
    static List<Var> topoOrder(Var root) {
        List<Var> order = new ArrayList<>();
        Map<Var, Boolean> seen = new IdentityHashMap<>();
        Deque<Object[]> stack = new ArrayDeque<>(); // {var, next input index}
        stack.push(new Object[] {root, 0});
        seen.put(root, true);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Var v = (Var) top[0];
            int i = (Integer) top[1];
            Var[] ins = v.node == null ? new Var[0] : v.node.inputs;
            if (i < ins.length) {
                top[1] = i + 1;
                if (seen.put(ins[i], true) == null) stack.push(new Object[] {ins[i], 0});
            } else {
                stack.pop();
                order.add(v);
            }
        }
        return order;
    }
}
