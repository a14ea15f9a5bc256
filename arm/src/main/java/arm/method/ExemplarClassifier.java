package arm.method;

import arm.autograd.Autograd;
import arm.autograd.Var;
import arm.nn.Module;
import arm.tensor.Backends;
import arm.tensor.Device;
import arm.tensor.Scope;
import arm.tensor.Tensor;
import java.util.Arrays;

/**
 * iCaRL's network and its exemplars together: in training mode the network's logits; in eval mode
 * the nearest-mean-of-exemplars classifier ({@link Herding#nearestMean}), the features φ being the
 * network's outputs (as in the GEM code's icarl.py) and μ_c the mean feature of class c's exemplars
 * under the current weights. Classes without exemplars are never predicted; with no exemplar at all
 * (the first task, before its end) the logits decide.
 *
 * <p>The exemplars are buffers of this module, so the evaluation copies and the checkpoints carry
 * them: "exemplars" [capacity, …image] and "exemplar_labels" [capacity] (−1: empty slot), both kept
 * on the host. The class means are computed at the first eval-mode forward and kept until the next
 * training-mode forward or exemplar change. A shared evaluation runs eval-mode forwards on several
 * threads at once, so the means are computed under a lock and published whole, as one immutable
 * {@link Means}: a thread never sees a half-written cache.
 */
final class ExemplarClassifier extends Module {
    final Module net;
    private final int classes;
    private final int[] item;
    private volatile Means means; // cached; null: compute at the next eval-mode forward

    /** μ [classes × d] and which classes have exemplars; present == null: no exemplar at all. */
    private record Means(float[] mu, boolean[] present) {}

    ExemplarClassifier(Module net, int capacity, int[] item, int classes) {
        this.net = child("net", net);
        this.classes = classes;
        this.item = item.clone();
        int[] shape = new int[item.length + 1];
        shape[0] = capacity;
        System.arraycopy(item, 0, shape, 1, item.length);
        hostBuffer("exemplars", Tensor.zeros(shape));
        float[] none = new float[capacity];
        Arrays.fill(none, -1);
        hostBuffer("exemplar_labels", Tensor.of(none, capacity));
    }

    @Override
    protected Module blank() {
        return new ExemplarClassifier(net.copy(), capacity(), item, classes);
    }

    int capacity() {
        return buffer("exemplar_labels").numel();
    }

    /** The exemplar images (host, live: write them, then call {@link #changed}). */
    Tensor exemplars() {
        return buffer("exemplars");
    }

    /** The exemplar labels (host, live; −1 = empty). */
    float[] labels() {
        return buffer("exemplar_labels").data();
    }

    /** Forgets the cached class means (the exemplars were rewritten). */
    void changed() {
        means = null;
    }

    @Override
    public Var forward(Var x) {
        if (isTraining()) {
            means = null; // the weights are about to change
            return net.forward(x);
        }
        Means m = means();
        Var f = net.forward(x);
        if (m.present == null) return f;
        int rows = x.dim(0);
        return Var.constant(
                Tensor.of(
                        Herding.nearestMean(f.value.toArray(), rows, m.mu, m.present),
                        rows,
                        classes));
    }

    /** The cached means, computed by the first thread that finds none. */
    private Means means() {
        Means m = means;
        if (m != null) return m;
        synchronized (this) {
            // read the field once: another thread's changed() may clear it at any moment (not
            // under this lock), and the caller must get the means it asked for, never null
            Means now = means;
            if (now == null) means = now = computeMeans();
            return now;
        }
    }

    /** μ_c over each class's exemplars, the network in eval mode, no graph. */
    private Means computeMeans() {
        float[] lab = labels();
        int n = 0;
        while (n < lab.length && lab[n] >= 0) n++;
        if (n == 0) return new Means(new float[0], null);
        float[] phi;
        Device device = device();
        try (var ng = Autograd.noGrad();
                Scope s = Scope.open()) {
            Tensor x = rows(exemplars(), n);
            if (device != Device.CPU) x = Backends.get(device).upload(x.data(), x.shape);
            phi = net.forward(Var.constant(x)).value.toArray();
        }
        int d = phi.length / n;
        double[] sum = new double[classes * d];
        int[] count = new int[classes];
        for (int i = 0; i < n; i++) {
            int c = (int) lab[i];
            count[c]++;
            for (int j = 0; j < d; j++) sum[c * d + j] += phi[i * d + j];
        }
        float[] mu = new float[classes * d];
        boolean[] present = new boolean[classes];
        for (int c = 0; c < classes; c++) {
            present[c] = count[c] > 0;
            for (int j = 0; j < d && present[c]; j++)
                mu[c * d + j] = (float) (sum[c * d + j] / count[c]);
        }
        return new Means(mu, present);
    }

    /** The first n rows of a host tensor, as a host tensor. */
    static Tensor rows(Tensor t, int n) {
        int per = t.numel() / t.dim(0);
        int[] shape = t.shape.clone();
        shape[0] = n;
        return Tensor.of(Arrays.copyOf(t.data(), n * per), shape);
    }
}
