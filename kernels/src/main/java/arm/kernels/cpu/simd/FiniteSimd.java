package arm.kernels.cpu.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link arm.kernels.cpu.Finite#allFinite} over whole vectors (x [len] at off): per lane the
 * float's bits, {@code (bits & 0x7f800000) + 0x00800000} (negative exactly for NaN and ±Inf), ORed
 * into two accumulators (two loads in flight), the tail one float at a time.
 */
public final class FiniteSimd {
    private FiniteSimd() {}

    static final VectorSpecies<Float> S = GemmSimd.S;
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    static final int L = S.length();

    public static boolean allFinite(float[] x, int off, int len) {
        IntVector a0 = IntVector.zero(I), a1 = IntVector.zero(I);
        int i = 0;
        for (int end = len - 2 * L; i <= end; i += 2 * L) {
            a0 = a0.or(flag(x, off + i));
            a1 = a1.or(flag(x, off + i + L));
        }
        for (int end = len - L; i <= end; i += L) a0 = a0.or(flag(x, off + i));
        int acc = a0.or(a1).reduceLanes(VectorOperators.OR);
        for (; i < len; i++) acc |= (Float.floatToRawIntBits(x[off + i]) & 0x7f800000) + 0x00800000;
        return acc >= 0;
    }

    private static IntVector flag(float[] x, int at) {
        return FloatVector.fromArray(S, x, at).reinterpretAsInts().and(0x7f800000).add(0x00800000);
    }
}
