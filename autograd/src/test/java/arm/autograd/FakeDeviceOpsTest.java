package arm.autograd;

import static arm.autograd.GradCheck.rand;
import static org.assertj.core.api.Assertions.assertThat;

import arm.autograd.ops.BatchNorm2d.Mode;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.Device;
import arm.tensor.Scope;
import arm.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every op on the fake device, where {@code Backend.empty} hands out NaN: a ResNet-shaped graph
 * (conv, batch norm plain / fused ReLU / counted, pooling, linear, softmax family, gather, max,
 * slice, concat, permute, sums) forward and backward must equal the CPU's bit for bit. An op that
 * took an uninitialised output for zeros would turn NaN here.
 */
class FakeDeviceOpsTest {
    /** The graph's outputs and its parameter gradients, downloaded. */
    static List<float[]> run(Device d) {
        Backend be = Backends.get(d);
        Tensor[] host = {
            rand(1, -1, 1, 3, 2, 6, 6),
            rand(2, -0.5, 0.5, 4, 2, 3, 3),
            rand(3, 0.5, 1.5, 4),
            rand(4, -0.2, 0.2, 4),
            rand(5, -0.5, 0.5, 5, 4)
        };
        Var[] p = new Var[host.length];
        for (int i = 0; i < host.length; i++)
            p[i] = Var.param(be.upload(host[i].toArray(), host[i].shape));
        Tensor rm = be.zeros(4), rv = be.upload(new float[] {1, 1, 1, 1}, 4);
        Var h = F.conv2d(p[0], p[1], 1, 1);
        h = F.batchNorm(h, p[2], p[3], Mode.train(1e-5f).tracking(rm, rv, 0.1f), true);
        Var k = F.batchNorm(h, p[2], p[3], Mode.train(1e-5f).counted(new int[] {2, 1, 5}), true);
        h = F.add(F.batchNorm(h, p[2], p[3], Mode.train(1e-5f).tracking(rm, rv, 0.1f), false), k);
        h = F.avgPool2d(h, 2, 2); // [3, 4, 3, 3]
        h = F.cat(1, F.slice(h, 1, 0, 2), F.slice(h, 1, 2, 4));
        h = F.permute(F.permute(h, 0, 2, 3, 1), 0, 3, 1, 2);
        Var feat = F.adaptiveAvgPool1x1(h); // [3, 4, 1, 1]
        Var logits = F.matmul(F.reshape(feat, 3, 4), p[4], false, true); // [3, 5]
        Var loss =
                F.add(
                        F.crossEntropy(logits, new int[] {4, 0, 2}),
                        F.mean(F.maxLastAxis(F.softmax(logits))));
        loss = F.add(loss, F.sum(F.gather(F.exp(F.logSoftmax(logits)), new int[] {1, 3, 0})));
        Autograd.backward(loss);
        List<float[]> out = new ArrayList<>();
        out.add(be.download(loss.value));
        out.add(be.download(logits.value));
        out.add(be.download(rm));
        out.add(be.download(rv));
        for (Var v : p) out.add(be.download(v.grad));
        return out;
    }

    @Test
    void aResNetShapedGraphOnTheFakeDeviceEqualsTheCpuBitForBit() {
        List<float[]> cpu = run(Device.CPU), dev;
        try (FakeDevice fake = FakeDevice.install();
                Scope s = Scope.open()) {
            dev = run(Device.CUDA);
        }
        assertThat(dev).hasSameSizeAs(cpu);
        for (int i = 0; i < cpu.size(); i++) {
            for (float v : dev.get(i)) assertThat(v).as("output " + i).isFinite();
            assertThat(dev.get(i)).as("output " + i).containsExactly(cpu.get(i));
        }
    }

    @Test
    void anOpReadingAnUninitialisedBufferIsCaught() {
        try (FakeDevice fake = FakeDevice.install();
                Scope s = Scope.open()) {
            Backend be = Backends.get(Device.CUDA);
            Tensor x = be.upload(new float[] {1, 2, 3}, 3), acc = be.empty(3);
            be.axpy(1f, x, acc); // accumulates into a buffer nobody zeroed
            assertThat(be.download(acc)).containsOnly(Float.NaN);
            Tensor ok = be.zeros(3);
            be.axpy(1f, x, ok);
            assertThat(be.download(ok)).containsExactly(1, 2, 3);
        }
    }
}
