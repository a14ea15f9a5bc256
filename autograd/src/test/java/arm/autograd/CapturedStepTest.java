package arm.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.Binary;
import arm.tensor.CapturedStep;
import arm.tensor.Device;
import arm.tensor.Scope;
import arm.tensor.Tensor;
import arm.tensor.Unary;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The graph-capture bookkeeping on the fake device: eager warm-up, capture, replay on the same
 * tensors with per-call values read from device memory, the pool keeping the step's temporaries
 * alive, re-instantiation on a shape change, and the fallback to eager when the step waits for the
 * host.
 */
class CapturedStepTest {
    /**
     * x ← x − lr·relu(W·x) with lr in device memory: a step with temporaries freed by its own
     * scope.
     */
    static void step(Backend be, Tensor w, Tensor x, Tensor lr) {
        try (Scope s = Scope.open()) {
            int n = x.shape[0];
            Tensor h = be.empty(n, 1), g = be.zeros(n, 1);
            be.gemm(false, false, 1f, w, x.reshape(n, 1), 0f, h);
            be.unary(Unary.RELU, h, 0f, h);
            be.binary(Binary.MUL, h, lr, g);
            be.axpy(-1f, g, x.reshape(n, 1));
        }
    }

    static float[] eager(int n, int calls, float[] lrs) {
        Backend be = Backends.cpu();
        Tensor w = Tensor.of(GradCheck.rand(5, -0.5, 0.5, n, n).toArray(), n, n),
                x = Tensor.of(GradCheck.rand(6, 0, 1, n).toArray(), n);
        Tensor lr = be.zeros(1);
        for (int i = 0; i < calls; i++) {
            be.fill(lr, lrs[i]);
            step(be, w, x, lr);
        }
        return x.toArray();
    }

    @Test
    void warmUpCaptureThenReplayEqualsEagerAndReadsPerCallValuesFromTheDevice() {
        float[] lrs = {0.1f, 0.2f, 0.05f, 0.3f, 0.15f};
        try (FakeDevice fake = FakeDevice.install();
                Scope outer = Scope.open();
                CapturedStep cs = new CapturedStep(Backends.get(Device.CUDA))) {
            Backend be = Backends.get(Device.CUDA);
            int n = 7;
            Tensor w = be.upload(GradCheck.rand(5, -0.5, 0.5, n, n).toArray(), n, n),
                    x = be.upload(GradCheck.rand(6, 0, 1, n).toArray(), n);
            Tensor lr = be.zeros(1);
            for (float v : lrs) {
                be.fill(lr, v); // outside the graph: the per-call value lives on the device
                cs.run("n=" + n, () -> step(be, w, x, lr));
            }
            assertThat(cs.fallback()).isNull();
            assertThat(cs.eagerRuns()).isEqualTo(1);
            assertThat(cs.captures()).isEqualTo(1);
            assertThat(cs.replays()).isEqualTo(3);
            assertThat(be.download(x)).containsExactly(eager(n, lrs.length, lrs));
        }
    }

    @Test
    void aShapeChangeReinstantiatesAndFreesTheOldPool() {
        try (FakeDevice fake = FakeDevice.install();
                Scope outer = Scope.open();
                CapturedStep cs = new CapturedStep(Backends.get(Device.CUDA))) {
            Backend be = Backends.get(Device.CUDA);
            Tensor lr = be.upload(new float[] {0.1f}, 1);
            Tensor[] t = new Tensor[1];
            for (int n : new int[] {4, 4, 4, 6, 6, 6, 4}) {
                Tensor w = be.upload(GradCheck.rand(n, -0.5, 0.5, n, n).toArray(), n, n),
                        x = be.upload(GradCheck.rand(n, 0, 1, n).toArray(), n);
                cs.run(
                        "n=" + n,
                        () -> {
                            step(be, w, x, lr);
                            try (Scope s = Scope.open()) {
                                Tensor tmp =
                                        be.zeros(n); // a temporary the step frees: the graph's pool
                                // keeps it
                                if (t[0] == null) t[0] = tmp;
                                be.copy(x, tmp);
                            }
                        });
            }
            assertThat(cs.captures()).isEqualTo(2); // n=4, n=6 (only one graph is kept)
            // the first n=4, the first n=6, and n=4 again: only the latest key counts as warmed
            assertThat(cs.eagerRuns()).isEqualTo(3);
            assertThat(cs.replays()).isEqualTo(2);
            assertThat(cs.fallback()).isNull();
        }
    }

    /**
     * A cache of two graphs: keys alternating between two shapes replay after one capture each; a
     * third key drops the least recently run graph (its pool freed), which is then captured anew;
     * every result equals the eager step's.
     */
    @Test
    void aCacheOfGraphsReplaysAlternatingKeysAndDropsTheLeastRecentlyRun() {
        try (FakeDevice fake = FakeDevice.install();
                Scope outer = Scope.open();
                CapturedStep cs = new CapturedStep(Backends.get(Device.CUDA), 2)) {
            Backend be = Backends.get(Device.CUDA);
            Map<Integer, Tensor[]> wx = new HashMap<>();
            Map<Integer, Integer> calls = new HashMap<>();
            Tensor lr = be.upload(new float[] {0.1f}, 1);
            Tensor[] pooled = new Tensor[1];
            int[] order = {4, 4, 6, 6, 4, 6, 4, 6, 5, 5, 4, 4, 6};
            for (int n : order) {
                Tensor[] t =
                        wx.computeIfAbsent(
                                n,
                                k ->
                                        new Tensor[] {
                                            be.upload(
                                                    GradCheck.rand(k, -0.5, 0.5, k, k).toArray(),
                                                    k,
                                                    k),
                                            be.upload(GradCheck.rand(k + 1, 0, 1, k).toArray(), k)
                                        });
                calls.merge(n, 1, Integer::sum);
                cs.run(
                        "n=" + n,
                        () -> {
                            step(be, t[0], t[1], lr);
                            if (n == 4 && pooled[0] == null && CapturedStep.capturing())
                                try (Scope s = Scope.open()) { // freed by the step: n=4's pool
                                    pooled[0] = be.zeros(n);
                                }
                        });
            }
            // 4: warm, capture; 6: warm, capture; then 4, 6, 4, 6 replay; 5: warm, capture (drops
            // 4, the least recently run); 4: warm, capture (drops 6); 6: warm up again
            assertThat(cs.eagerRuns()).isEqualTo(5);
            assertThat(cs.captures()).isEqualTo(4);
            assertThat(cs.replays()).isEqualTo(4);
            assertThat(cs.heldKeys()).containsExactly("n=5", "n=4");
            assertThat(cs.fallback()).isNull();
            for (int n : calls.keySet()) {
                Backend cpu = Backends.cpu();
                Tensor w = Tensor.of(GradCheck.rand(n, -0.5, 0.5, n, n).toArray(), n, n),
                        x = Tensor.of(GradCheck.rand(n + 1, 0, 1, n).toArray(), n);
                for (int i = 0; i < calls.get(n); i++)
                    step(cpu, w, x, Tensor.of(new float[] {0.1f}, 1));
                assertThat(be.download(wx.get(n)[1])).as("n=" + n).containsExactly(x.toArray());
            }
            // n=4's first graph was dropped with its pool, which held the step's temporary
            assertThat(pooled[0]).isNotNull();
            assertThatThrownBy(() -> be.download(pooled[0]))
                    .hasMessageContaining("used after its scope freed it");
        }
    }

    @Test
    void aStepThatWaitsForTheHostFallsBackToEagerWithTheSameResult() {
        float[] lrs = {0.1f, 0.2f, 0.05f, 0.3f};
        try (FakeDevice fake = FakeDevice.install();
                Scope outer = Scope.open();
                CapturedStep cs = new CapturedStep(Backends.get(Device.CUDA))) {
            Backend be = Backends.get(Device.CUDA);
            int n = 5;
            Tensor w = be.upload(GradCheck.rand(5, -0.5, 0.5, n, n).toArray(), n, n),
                    x = be.upload(GradCheck.rand(6, 0, 1, n).toArray(), n);
            Tensor lr = be.zeros(1);
            float[] seen = new float[1];
            for (float v : lrs) {
                be.fill(lr, v);
                cs.run(
                        "n=" + n,
                        () -> {
                            step(be, w, x, lr);
                            seen[0] =
                                    be.download(x)[
                                            0]; // a host read, like the recall loss's finite check
                        });
            }
            assertThat(cs.fallback())
                    .isEqualTo(
                            "capture failed: download during graph capture (the host would wait for"
                                    + " the stream)");
            assertThat(cs.captures()).isZero();
            assertThat(cs.eagerRuns()).isEqualTo(lrs.length);
            assertThat(be.download(x)).containsExactly(eager(n, lrs.length, lrs));
        }
    }

    @Test
    void aHostValueBakedIntoTheGraphIsNotSeenByReplays() {
        try (FakeDevice fake = FakeDevice.install();
                Scope outer = Scope.open();
                CapturedStep cs = new CapturedStep(Backends.get(Device.CUDA))) {
            Backend be = Backends.get(Device.CUDA);
            Tensor x = be.zeros(1);
            float[] step = {1f};
            for (int i = 0; i < 4; i++) {
                cs.run("k", () -> be.unary(Unary.ADD_SCALAR, x, step[0], x));
                step[0] *= 10; // host value: captured once (10), replays keep it
            }
            assertThat(be.download(x)).containsExactly(1f + 10f + 10f + 10f);
        }
    }

    @Test
    void theCpuDoesNotCaptureAndSaysSo() {
        try (CapturedStep cs = new CapturedStep(Backends.cpu())) {
            int[] runs = {0};
            cs.run("k", () -> runs[0]++);
            cs.run("k", () -> runs[0]++);
            assertThat(runs[0]).isEqualTo(2);
            assertThat(cs.fallback()).isEqualTo("the CPU backend does not capture graphs");
        }
    }

    @Test
    void tensorsFreedDuringCaptureLiveUntilTheGraphCloses() {
        try (FakeDevice fake = FakeDevice.install();
                Scope outer = Scope.open()) {
            Backend be = Backends.get(Device.CUDA);
            var cap = be.graphCapture();
            Tensor x = be.upload(new float[] {1, 2}, 2), tmp;
            cap.begin();
            try (Scope s = Scope.open()) {
                tmp = be.empty(2);
                be.copy(x, tmp);
                be.axpy(1f, tmp, x);
            }
            var g = cap.end();
            g.launch();
            g.launch();
            assertThat(be.download(x)).containsExactly(4, 8);
            g.close();
            assertThatThrownBy(g::launch).hasMessageContaining("used after its scope freed it");
        }
    }

    /**
     * A fixed input (Backend.writeInts) read by a replayed graph: each replay gathers with the
     * contents of the latest write, not those at capture; changing the host array without a write
     * leaves the device copy as it was (the graph reads stale values, as on CUDA), and an ordinary
     * host array is baked in at capture.
     */
    @Test
    void aReplayReadsTheLatestWriteOfAFixedInput() {
        try (FakeDevice fake = FakeDevice.install();
                Scope outer = Scope.open();
                CapturedStep cs = new CapturedStep(Backends.get(Device.CUDA))) {
            Backend be = Backends.get(Device.CUDA);
            Tensor x = be.upload(new float[] {10, 11, 12, 20, 21, 22}, 2, 3), out = be.zeros(2);
            int[] slot = {0, 0}, plain = {2, 0};
            Tensor plainOut = be.zeros(2);
            int[][] writes = {{0, 1}, {2, 0}, {1, 2}, {0, 0}};
            for (int call = 0; call < writes.length; call++) {
                int[] w = writes[call];
                System.arraycopy(w, 0, slot, 0, 2);
                if (call >= 2) System.arraycopy(w, 0, plain, 0, 2); // after the capture
                be.writeInts(slot);
                cs.run(
                        "k",
                        () -> {
                            be.gatherLastAxis(x, slot, out);
                            be.gatherLastAxis(x, plain, plainOut);
                        });
                assertThat(be.download(out)).containsExactly(10 + w[0], 20 + w[1]);
            }
            assertThat(cs.replays()).isEqualTo(2);
            // the plain array was baked in at capture ({2, 0}), its later contents never read
            assertThat(be.download(plainOut)).containsExactly(12, 20);
            slot[0] = 2; // no write: the device copy still holds {0, 0}
            cs.run("k", () -> be.gatherLastAxis(x, slot, out));
            assertThat(be.download(out)).containsExactly(10, 20);
            be.releaseInts(slot);
        }
    }
}
