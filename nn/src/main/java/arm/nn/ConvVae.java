package arm.nn;

import arm.autograd.F;
import arm.autograd.Var;
import arm.tensor.Shape;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The gated-conv VAE of the MIR code's CIFAR runs (VAE.py, input type 'continuous'), with a N(0, I)
 * prior on z; every gated layer is h ⊙ σ(g) without activation, every kernel 5 unless named:
 *
 * <pre>
 * encoder  GatedConv c→32 s1, 32→32 s2, 32→64 s1, 64→64 s2, 64→64 s1, 64→256 kK s1 p0 → [N, 256]
 * heads    μ = Linear(256→z),  σ² = clamp(softplus(Linear(256→z)), 0.01, 7)
 * decoder  z → z×1×1, GatedConvT z→64 kK p0, 64→64 s1, 64→32 s2 op1, 32→32 s1, 32→32 s2 op1,
 *          32→32 s1, then Conv 32→256 k5 p2 and Conv 256→c k1: x̄, no output nonlinearity
 * </pre>
 *
 * The MIR code's decoder takes z as [N, z] and so cannot run as committed (a transposed convolution
 * needs [N, z, 1, 1]); the reshape here is that necessary fix. Paddings and K by {@link Layout}:
 * CIFAR10's 32×32 images use padding 2 everywhere and K = 8, as committed; the code rejects 84×84
 * MiniImageNet images, and {@link Layout#MINIIMAGENET} is our variant (docs/ALGORITHM.md "GEN and
 * GEN-MIR on natural images"). Parameters: c = 3, K = 8 gives 3,333,315 + 8,706·z; K = 16 gives
 * 9,624,771 + 33,282·z.
 *
 * <p>The loss ({@link #vaeLoss}) is the MIR code's 'mse' one: (MSE + β·KL)/N with the MSE already a
 * mean over all N·c·H·W values, so reconstruction is divided by the batch twice (its quirk, kept);
 * KL as {@link VaeModel#kl}. Layers are initialised in PyTorch's registration order, each as its
 * PyTorch default.
 */
public final class ConvVae extends VaeModel {
    public static final float VAR_MIN = 0.01f, VAR_MAX = 7f;

    /**
     * Image size, the encoder's paddings of its 2nd, 4th, 5th gated convs, K, and the decoder's
     * paddings of its 2nd, 3rd, 5th gated transposed convs (the others pad 2, K's pad 0).
     */
    public record Layout(String name, int size, int[] encPads, int last, int[] decPads) {
        /** CIFAR10 as committed: 32 → 32 → 16 → 16 → 8 → 8 → 1 and back. */
        public static final Layout CIFAR10 =
                new Layout("cifar10", 32, new int[] {2, 2, 2}, 8, new int[] {2, 2, 2});

        /**
         * Our MiniImageNet variant, the CIFAR10 shapes with K = 16: 84 → 84 → 40 → 40 → 18 → 16 → 1
         * and back (1 → 16 → 18 → 40 → 40 → 84 → 84).
         */
        public static final Layout MINIIMAGENET =
                new Layout("miniimagenet", 84, new int[] {0, 0, 1}, 16, new int[] {1, 0, 0});

        /** The layout for c×h×w images, or an error naming the sizes there are. */
        public static Layout of(int[] item) {
            if (item.length == 3 && item[1] == item[2])
                for (Layout l : List.of(CIFAR10, MINIIMAGENET)) if (l.size == item[1]) return l;
            throw new IllegalArgumentException(
                    "no gated-conv VAE for images of shape "
                            + Shape.str(item)
                            + " (it takes c×32×32 and c×84×84)");
        }
    }

    public final int channels, z;
    public final Layout layout;
    private final List<GatedConv2d> enc = new ArrayList<>();
    private final List<GatedConvTranspose2d> dec = new ArrayList<>();
    public final Linear mean, var;
    public final Conv2dBias out1, out2;
    private SplittableRandom rng;

    public ConvVae(int channels, Layout layout, int z, SplittableRandom rng) {
        this.channels = channels;
        this.layout = layout;
        this.z = z;
        int[] e = layout.encPads, d = layout.decPads;
        int k = layout.last;
        int[][] encoder = { // in, out, kernel, stride, pad
            {channels, 32, 5, 1, 2},
            {32, 32, 5, 2, e[0]},
            {32, 64, 5, 1, 2},
            {64, 64, 5, 2, e[1]},
            {64, 64, 5, 1, e[2]},
            {64, 256, k, 1, 0}
        };
        for (int[] c : encoder)
            enc.add(child("enc" + enc.size(), new GatedConv2d(c[0], c[1], c[2], c[3], c[4], rng)));
        mean = child("mean", new Linear(256, z, rng));
        var = child("var", new Linear(256, z, rng));
        int[][] decoder = { // in, out, kernel, stride, pad, output padding
            {z, 64, k, 1, 0, 0},
            {64, 64, 5, 1, d[0], 0},
            {64, 32, 5, 2, d[1], 1},
            {32, 32, 5, 1, 2, 0},
            {32, 32, 5, 2, d[2], 1},
            {32, 32, 5, 1, 2, 0}
        };
        for (int[] c : decoder)
            dec.add(
                    child(
                            "dec" + dec.size(),
                            new GatedConvTranspose2d(c[0], c[1], c[2], c[3], c[4], c[5], rng)));
        out1 = child("out1", new Conv2dBias(32, 256, 5, 1, 2, rng));
        out2 = child("out2", new Conv2dBias(256, channels, 1, 1, 0, rng));
    }

    /** The VAE for c×h×w images (CIFAR10's or our MiniImageNet variant). */
    public static ConvVae forImages(int[] item, int z, SplittableRandom rng) {
        return new ConvVae(item[0], Layout.of(item), z, rng);
    }

    @Override
    public void useGenerator(SplittableRandom g) {
        rng = g;
    }

    /** x̄ of a one-sample pass. */
    @Override
    public Var forward(Var x) {
        return pass(x).xMean();
    }

    @Override
    public Vae.Pass pass(Var x) {
        Var h = x;
        for (GatedConv2d l : enc) h = l.forward(h);
        h = F.reshape(h, h.dim(0), -1);
        Var mu = mean.forward(h);
        Var v = F.clamp(F.softplus(var.forward(h)), VAR_MIN, VAR_MAX);
        Var zs = reparameterize(mu, v);
        return new Vae.Pass(mu, v, zs, decode(zs));
    }

    @Override
    public Var reparameterize(Var mu, Var v) {
        Var eps = Var.constant(normal(rng, mu.shape()));
        return F.add(F.mul(eps, F.sqrt(v)), mu);
    }

    /** x̄ [N, c, size, size] at codes z [N, z] (viewed as z×1×1). */
    @Override
    public Var decode(Var zs) {
        Var h = F.reshape(zs, zs.dim(0), z, 1, 1);
        for (GatedConvTranspose2d l : dec) h = l.forward(h);
        return out2.forward(out1.forward(h));
    }

    @Override
    public Tensor prior(int n) {
        return normal(rng, n, z);
    }

    /** (mean((x̄ − x)²) + β·KL)/N, the MIR code's mse loss function (see the class comment). */
    @Override
    public Vae.Loss vaeLoss(Vae.Pass p, Var x, float beta) {
        int n = x.dim(0);
        Var diff = F.sub(p.xMean(), x);
        Var rec = F.mean(F.mul(diff, diff));
        Var kl = kl(p);
        Var loss = F.scale(F.add(rec, F.scale(kl, beta)), 1f / n);
        return new Vae.Loss(loss, F.scale(rec, 1f / n), F.scale(kl, 1f / n));
    }

    @Override
    protected Module blank() {
        return new ConvVae(channels, layout, z, new SplittableRandom(0));
    }
}
