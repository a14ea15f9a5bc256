package arm.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import arm.kernels.cpu.ref.ElementwiseRef;
import arm.tensor.Binary;
import arm.tensor.Shape;
import arm.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * CpuBackend's fast paths for binary (same shape; BroadcastFast's rows, columns, scalars) and sumTo
 * (copy; BroadcastFast's column sums, row sums, totals) against their naive twins in
 * ElementwiseRef, on odd shapes with random non-zero data. Cases that take the general path are
 * included too, so every branch of the dispatch is covered.
 */
class ElementwiseFastTest {
    final CpuBackend cpu = new CpuBackend();

    /** {a shape, b shape, out shape}. */
    static final int[][][] BINARY = {
        {{1}, {1}, {1}},
        {{17}, {17}, {17}},
        {{7, 13}, {7, 13}, {7, 13}},
        {{3, 5, 31}, {3, 5, 31}, {3, 5, 31}}, // same
        {{5, 31}, {31}, {5, 31}},
        {{3, 7, 13}, {7, 13}, {3, 7, 13}},
        {{3, 7, 13}, {1, 13}, {3, 7, 13}}, // row
        {{17}, {1}, {17}},
        {{3, 7, 13}, {1}, {3, 7, 13}},
        {{1, 1, 19}, {19}, {1, 1, 19}}, // scalar, unit lead
        {{5, 1, 7}, {1, 3, 1}, {5, 3, 7}},
        {{31}, {5, 31}, {5, 31}},
        {{5, 1}, {5, 3}, {5, 3}}, // general
        {{3}, {1}, {4, 3}}, // expanding into a larger out (how SumTo's backward broadcasts dy)
        {{7, 13}, {7, 1}, {7, 13}},
        {{1, 1}, {1}, {1, 23}},
        {{1}, {3, 7, 13}, {3, 7, 13}}, // column, scalars
        {{7, 1}, {7, 13}, {7, 13}},
        {{2, 3, 5}, {2, 3, 1}, {2, 3, 5}},
        {{2, 3, 5}, {3, 1}, {2, 3, 5}}, // a broadcasts
        {{4, 1, 1}, {1, 6, 5}, {4, 6, 5}},
        {{1, 6, 5}, {4, 1, 1}, {4, 6, 5}}, // outer-product like
    };

    @Test
    void binaryFastPathsMatchTheNaiveLoop() {
        long seed = 1;
        for (Binary op : Binary.values())
            for (int[][] c : BINARY) {
                float[] a = random(seed++, Shape.numel(c[0])),
                        b = random(seed++, Shape.numel(c[1]));
                Tensor out = cpu.zeros(c[2]);
                cpu.binary(op, Tensor.of(a.clone(), c[0]), Tensor.of(b.clone(), c[1]), out);
                float[] ref = new float[Shape.numel(c[2])];
                ElementwiseRef.binary(op, a, c[0], b, c[1], ref, c[2]);
                assertThat(out.toArray())
                        .as(op + " " + Shape.str(c[0]) + " " + Shape.str(c[1]))
                        .containsExactly(ref);
            }
    }

    /** {x shape, out shape}. */
    static final int[][][] SUM_TO = {
        {{1}, {1}},
        {{17}, {17}},
        {{7, 13}, {7, 13}}, // copy
        {{5, 31}, {31}},
        {{3, 7, 13}, {7, 13}},
        {{3, 7, 13}, {1, 13}},
        {{3, 7, 13}, {1, 1, 13}},
        {{5, 31}, {1}}, // rows
        {{5, 31}, {5, 1}},
        {{3, 7, 13}, {3, 7, 1}},
        {{1, 7840}, {1, 1}},
        {{2, 3, 5, 7}, {2, 3, 1, 1}}, // row sums, totals
        {{3, 7, 13}, {3, 1, 13}},
        {{3, 7, 13}, {7, 1}},
        {{2, 3, 5, 7}, {3, 1, 1}}, // general
    };

    @Test
    void sumToFastPathsMatchTheNaiveLoop() {
        long seed = 100;
        for (int[][] c : SUM_TO) {
            float[] x = random(seed++, Shape.numel(c[0]));
            Tensor out = cpu.zeros(c[1]);
            cpu.sumTo(Tensor.of(x.clone(), c[0]), out);
            float[] ref = new float[Shape.numel(c[1])];
            ElementwiseRef.sumTo(x, c[0], ref, c[1]);
            // both sum in double, adding each output's elements in index order: the same bits
            assertThat(out.toArray())
                    .as("sumTo " + Shape.str(c[0]) + " -> " + Shape.str(c[1]))
                    .containsExactly(ref);
        }
    }

    @Test
    void scatterAddRejectsAnIndexOutsideItsRow() { // rather than landing in the next row
        Tensor dx = cpu.zeros(2, 3), dOut = Tensor.of(new float[] {1, 1}, 2);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> cpu.scatterAddLastAxis(dOut, new int[] {3, 0}, dx))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    /** Uniform in ±[0.1, 2): never zero, so DIV and wrong-index bugs both show. */
    static float[] random(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = new float[n];
        for (int i = 0; i < n; i++)
            d[i] = (float) ((0.1 + 1.9 * r.nextDouble()) * (r.nextBoolean() ? 1 : -1));
        return d;
    }
}
