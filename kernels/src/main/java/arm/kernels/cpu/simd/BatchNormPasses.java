package arm.kernels.cpu.simd;

import arm.kernels.cpu.fast.BatchNormFast;
import arm.kernels.cpu.fast.ReluFast;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The per-plane passes of {@link BatchNormFast}'s backward on the Vector API, with the scalar
 * code's bits: the masked sums keep its four accumulators as the four lanes of a 128-bit vector
 * (lane j adds the elements o + 4t + j in the same order, the tail goes to lane 0, and the lanes
 * are combined as (s0 + s1) + (s2 + s3)); the dx pass is elementwise, its multiplications and
 * additions in the scalar order and never fused. The mask is the scalar one's integer trick, so a
 * NaN in the ReLU output is treated alike too. Tested bit for bit against {@link
 * BatchNormFast#SCALAR} (BatchNormPassesTest).
 */
public final class BatchNormPasses implements BatchNormFast.Passes {
    public static final BatchNormPasses INSTANCE = new BatchNormPasses();

    private BatchNormPasses() {}

    private static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128,
            S = FloatVector.SPECIES_PREFERRED;

    /**
     * v where s &gt; 0, else +0: as ReluFast.masked, whose integer trick keeps v exactly where s's
     * bits read as an int are positive (sign clear, not zero). A compare and a blend: a lanewise
     * shift by a scalar count is not compiled to vector code on JDK 25 and ran ~30× slower.
     */
    private static FloatVector masked(FloatVector v, FloatVector s) {
        IntVector vi = v.reinterpretAsInts();
        return vi.broadcast(0)
                .blend(vi, s.reinterpretAsInts().compare(VectorOperators.GT, 0))
                .reinterpretAsFloats();
    }

    @Override
    public float maskedSum(float[] dy, float[] y, int o, int len) {
        FloatVector s = FloatVector.zero(F4);
        int i = o, end = o + len, end4 = o + (len & ~3);
        for (; i < end4; i += 4)
            s = s.add(masked(FloatVector.fromArray(F4, dy, i), FloatVector.fromArray(F4, y, i)));
        float s0 = s.lane(0);
        for (; i < end; i++) s0 += ReluFast.masked(dy[i], y[i]);
        return (s0 + s.lane(1)) + (s.lane(2) + s.lane(3));
    }

    @Override
    public float maskedDotCentred(float[] dy, float[] y, float[] x, int o, int len, float mu) {
        FloatVector s = FloatVector.zero(F4);
        int i = o, end = o + len, end4 = o + (len & ~3);
        for (; i < end4; i += 4) {
            FloatVector d =
                    masked(FloatVector.fromArray(F4, dy, i), FloatVector.fromArray(F4, y, i));
            s = s.add(d.mul(FloatVector.fromArray(F4, x, i).sub(mu)));
        }
        float s0 = s.lane(0);
        for (; i < end; i++) s0 += ReluFast.masked(dy[i], y[i]) * (x[i] - mu);
        return (s0 + s.lane(1)) + (s.lane(2) + s.lane(3));
    }

    @Override
    public void dx(
            float[] dy,
            float[] relu,
            float[] x,
            float[] dx,
            int o,
            int len,
            float ax,
            float bw,
            float kw) {
        int i = o, end = o + len, upper = o + S.loopBound(len);
        for (; i < upper; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, dy, i);
            if (relu != null) d = masked(d, FloatVector.fromArray(S, relu, i));
            d.mul(ax).add(FloatVector.fromArray(S, x, i).mul(bw)).add(kw).intoArray(dx, i);
        }
        if (relu == null) for (; i < end; i++) dx[i] = ax * dy[i] + bw * x[i] + kw;
        else for (; i < end; i++) dx[i] = ax * ReluFast.masked(dy[i], relu[i]) + bw * x[i] + kw;
    }
}
