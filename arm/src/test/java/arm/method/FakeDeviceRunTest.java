package arm.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import arm.analysis.GradientStudy;
import arm.autograd.FakeDevice;
import arm.run.ProgressListener;
import arm.run.Recording;
import arm.run.RunResult;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Device code paths without a GPU: a run with {@code device=cuda} on {@link FakeDevice} (CPU
 * kernels behind device-only storage) must finish and equal the CPU run: accuracies and recalled
 * labels exactly, the gradient study's values to float rounding (on a device the recall loss's
 * image prior is one fused op, {@code F.imagePrior}, whose sums round differently from the CPU's
 * composed terms). A host/device mix-up anywhere fails here as on a GPU ("tensor lives on CUDA").
 */
class FakeDeviceRunTest {

    @Test
    void armRunWithFiguresAndGradientStudyOnTheDeviceEqualsTheCpuRun() {
        RunResult cpu =
                Methods.create("ARM", RecordingTest.RECALL)
                        .run(RecordingTest.DATA, 5, ProgressListener.NONE, new Recording(true, 12));
        Map<String, String> onDevice = new HashMap<>(RecordingTest.RECALL);
        onDevice.put("device", "cuda");
        RunResult gpu;
        try (FakeDevice fake = FakeDevice.install()) {
            gpu =
                    Methods.create("ARM", onDevice)
                            .run(
                                    RecordingTest.DATA,
                                    5,
                                    ProgressListener.NONE,
                                    new Recording(true, 12));
        }
        assertThat(gpu.evals()).hasSameSizeAs(cpu.evals());
        for (int i = 0; i < cpu.evals().size(); i++)
            assertThat(gpu.evals().get(i).testPerClass())
                    .containsExactly(cpu.evals().get(i).testPerClass());
        GradientStudy.Result a = cpu.gradients(), b = gpu.gradients();
        assertThat(b.samples()).hasSize(12).hasSameSizeAs(a.samples());
        assertThat(b.blocks()).isEqualTo(a.blocks());
        for (int i = 0; i < a.samples().size(); i++) {
            GradientStudy.Sample s = a.samples().get(i), t = b.samples().get(i);
            assertThat(t.originator()).isEqualTo(s.originator());
            assertThat(t.target()).isEqualTo(s.target());
            assertThat(t.hard1()).containsExactly(s.hard1(), within(1e-6));
            assertThat(t.hard2()).containsExactly(s.hard2(), within(1e-6));
            assertThat(t.soft1()).containsExactly(s.soft1(), within(1e-6));
            assertThat(t.soft2()).containsExactly(s.soft2(), within(1e-6));
        }
        assertThat(gpu.recall().t()).containsExactly(cpu.recall().t());
    }
}
