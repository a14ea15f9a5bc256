package arm.kernels.cpu.simd;

import arm.kernels.cpu.fast.BatchNormFast;
import arm.kernels.cpu.fast.ReluFast;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The per-plane passes of {@link BatchNormFast}'s backward with the scalar code's bits: the masked
 * sums are the scalar ones (their four accumulators add four interleaved chains in a fixed order,
 * which no wider vector shortens: on 128-bit vectors, with the mask as a compare and a blend, they
 * ran 2–8× slower than the scalar loop); the dx pass is elementwise on the machine's widest
 * vectors, its multiplications and additions in the scalar order and never fused (about twice as
 * fast as the scalar loop, which the JIT does not vectorise because of the mask's integer trick).
 * The mask keeps dy exactly where the ReLU output's bits read as an int are positive, as {@link
 * ReluFast#masked} does, so a NaN in the ReLU output is treated alike too. Tested bit for bit
 * against {@link BatchNormFast#SCALAR} (BatchNormPassesTest).
 */
public final class BatchNormPasses implements BatchNormFast.Passes {
    public static final BatchNormPasses INSTANCE = new BatchNormPasses();

    private BatchNormPasses() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** v where s's bits read as an int are positive, else +0: a compare and a blend. */
    private static FloatVector masked(FloatVector v, FloatVector s) {
        IntVector vi = v.reinterpretAsInts();
        return vi.broadcast(0)
                .blend(vi, s.reinterpretAsInts().compare(VectorOperators.GT, 0))
                .reinterpretAsFloats();
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
