package arm.nn;

import arm.autograd.F;
import arm.autograd.Var;

/**
 * Average pooling, no padding: {@code new AvgPool2d(k, stride)} is PyTorch's avg_pool2d(x, k,
 * stride) (floor output size: the MiniImageNet head pools 11×11 with 4/4 to 2×2); {@link
 * #adaptive1x1()} is adaptive_avg_pool2d(x, 1), the mean of each channel's plane.
 */
public final class AvgPool2d extends Module {
    /** 0 for adaptive pooling to 1×1. */
    public final int kernel, stride;

    public AvgPool2d(int kernel, int stride) {
        if (kernel < 1 || stride < 1)
            throw new IllegalArgumentException("avg pool " + kernel + "/" + stride);
        this.kernel = kernel;
        this.stride = stride;
    }

    private AvgPool2d() {
        this.kernel = 0;
        this.stride = 0;
    }

    public static AvgPool2d adaptive1x1() {
        return new AvgPool2d();
    }

    @Override
    public Var forward(Var x) {
        return kernel == 0 ? F.adaptiveAvgPool1x1(x) : F.avgPool2d(x, kernel, stride);
    }

    @Override
    protected Module blank() {
        return kernel == 0 ? adaptive1x1() : new AvgPool2d(kernel, stride);
    }
}
