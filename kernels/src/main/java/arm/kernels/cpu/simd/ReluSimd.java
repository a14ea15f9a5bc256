package arm.kernels.cpu.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * ReLU's backward by vectors: dx[i] = dy[i] where x[i] &gt; 0, else +0. Shapes: x, dy, dx over
 * [from, to) (the MLP's [10, 400] activations, ~200 k elements per MNIST recall iteration). {@link
 * arm.kernels.cpu.fast.ReluFast#backward} is the naive twin, bit for bit: it keeps dy's bits where
 * the int bits b of x are &gt; 0 as a signed int (positive floats, +Inf and NaNs with the sign bit
 * clear) and writes +0 elsewhere; here the same test is an int compare of x's bits and the same
 * write a blend of dy's bits with 0 (C2 does not vectorise the scalar mask loop).
 */
public final class ReluSimd {
    private ReluSimd() {}

    static final VectorSpecies<Float> S = GemmSimd.S;
    static final VectorSpecies<Integer> I = S.vectorShape().withLanes(int.class);
    static final int L = S.length();

    public static void backward(float[] x, float[] dy, float[] dx, int from, int to) {
        IntVector zero = IntVector.zero(I);
        int i = from;
        for (; i + L <= to; i += L) {
            IntVector b = FloatVector.fromArray(S, x, i).reinterpretAsInts();
            VectorMask<Integer> pos = b.compare(VectorOperators.GT, 0);
            IntVector d = FloatVector.fromArray(S, dy, i).reinterpretAsInts();
            zero.blend(d, pos).reinterpretAsFloats().intoArray(dx, i);
        }
        for (; i < to; i++) { // the tail: ReluFast.masked's expression
            int b = Float.floatToRawIntBits(x[i]);
            dx[i] = Float.intBitsToFloat(Float.floatToRawIntBits(dy[i]) & ((-b & ~b) >> 31));
        }
    }
}
