package arm.kernels.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import arm.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The CPU backend's device-index forms (Backend defaults) equal the int[] forms bit for bit. */
class DeviceIndexFormsTest {
    @Test
    void argmaxGatherAndScatterWithTensorIndicesEqualTheIntForms() {
        CpuBackend b = new CpuBackend();
        Random rnd = new Random(3);
        int r = 13, c = 9;
        float[] x = new float[r * c], g = new float[r];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        for (int i = 0; i < r; i++) g[i] = (float) rnd.nextGaussian();
        x[5 * c + 2] = x[5 * c + 7] = 10f; // a tie: the first index wins in both forms
        int[] idx = new int[r];
        Tensor values = Tensor.zeros(r), values2 = Tensor.zeros(r), argmax = Tensor.zeros(r);
        b.maxLastAxis(Tensor.of(x, r, c), values, idx);
        b.maxLastAxisIndex(Tensor.of(x, r, c), values2, argmax);
        assertThat(values2.toArray()).containsExactly(values.toArray());
        for (int i = 0; i < r; i++) assertThat(argmax.toArray()[i]).isEqualTo((float) idx[i]);
        assertThat(idx[5]).isEqualTo(2);

        Tensor a = Tensor.zeros(r), a2 = Tensor.zeros(r);
        b.gatherLastAxis(Tensor.of(x, r, c), idx, a);
        b.gatherLastAxis(Tensor.of(x, r, c), argmax, a2);
        assertThat(a2.toArray()).containsExactly(a.toArray());

        Tensor d = Tensor.of(x.clone(), r, c), d2 = Tensor.of(x.clone(), r, c);
        b.scatterAddLastAxis(Tensor.of(g, r), idx, d);
        b.scatterAddLastAxis(Tensor.of(g, r), argmax, d2);
        assertThat(d2.toArray()).containsExactly(d.toArray());
    }
}
