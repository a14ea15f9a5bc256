package arm.autograd;

import static arm.autograd.GradCheck.rand;
import static org.assertj.core.api.Assertions.assertThat;

import arm.autograd.ops.BatchNorm2d.Mode;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.Device;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The running-statistics update with its factor in a [1] tensor (the form a captured step uses)
 * gives the bits of the factor passed by value, plain and counted, on the CPU and on the fake
 * device.
 */
class BatchNormFactorTest {
    static List<float[]> update(Device d, boolean inTensor, int[] counts) {
        Backend be = Backends.get(d);
        Tensor x = rand(11, -1, 2, 3, 4, 5, 5), g = rand(12, 0.5, 1.5, 4), b = rand(13, -1, 1, 4);
        Tensor rm = be.upload(rand(14, -1, 1, 4).toArray(), 4);
        Tensor rv = be.upload(rand(15, 0.5, 2, 4).toArray(), 4);
        float factor = 1f / 3;
        Mode m =
                inTensor
                        ? Mode.train(1e-5f).tracking(rm, rv, be.upload(new float[] {factor}, 1))
                        : Mode.train(1e-5f).tracking(rm, rv, factor);
        Var y =
                F.batchNorm(
                        Var.constant(be.upload(x.toArray(), x.shape)),
                        Var.constant(be.upload(g.toArray(), 4)),
                        Var.constant(be.upload(b.toArray(), 4)),
                        m.counted(counts),
                        true);
        List<float[]> out = new ArrayList<>();
        out.add(be.download(rm));
        out.add(be.download(rv));
        out.add(be.download(y.value));
        return out;
    }

    @Test
    void aFactorTensorGivesTheBitsOfTheFloat() {
        for (int[] counts : new int[][] {null, {2, 1, 4}}) {
            List<float[]> byValue = update(Device.CPU, false, counts);
            List<List<float[]>> others = new ArrayList<>();
            others.add(update(Device.CPU, true, counts));
            try (FakeDevice fake = FakeDevice.install()) {
                others.add(update(Device.CUDA, true, counts));
                others.add(update(Device.CUDA, false, counts));
            }
            for (List<float[]> o : others)
                for (int i = 0; i < byValue.size(); i++)
                    assertThat(o.get(i)).containsExactly(byValue.get(i));
        }
    }
}
