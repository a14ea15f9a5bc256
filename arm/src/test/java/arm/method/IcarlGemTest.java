package arm.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.autograd.Autograd;
import arm.autograd.FakeDevice;
import arm.autograd.Var;
import arm.data.ContinualData;
import arm.metrics.EvalPoint;
import arm.run.ProgressListener;
import arm.run.RunResult;
import arm.run.RunState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** iCaRL's exemplar bookkeeping, GEM's memory, both methods' memory columns and ResNet resume. */
class IcarlGemTest {
    static final ContinualData DATA = MethodsTest.DATA; // 4 classes, 2 tasks, T = 10, N = 4

    @Test
    void memoryColumnsMatchTableOne() {
        ContinualData cifar = ResumeTest.images(); // 3×32×32, 5 tasks
        for (String name : new String[] {"iCaRL", "GEM"}) {
            MemoryCost c = MemoryCost.of(Methods.create(name, "cifar10", Map.of()), cifar);
            // Table 1: 200 images, 0.61 MB, no model
            assertThat(c).as(name).isEqualTo(new MemoryCost(200, 200 * 3072, 0, 0, 0));
            assertThat(MemoryCost.megabytes(c.sampleBytes())).isBetween(0.61, 0.62);
        }
        // GEM counts whole per-task shares: 203 images over 5 tasks are 40 each
        MemoryCost g = MemoryCost.of(Methods.create("GEM", "cifar10", Map.of("mem", "203")), cifar);
        assertThat(g.sampleImages()).isEqualTo(200);
    }

    @Test
    void icarlSplitsItsMemoryOverTheClassesSeenAndKeepsTheHerdingPrefix() {
        Method m = Methods.create("iCaRL", MethodsTest.small("mem", "10", "iters", "2"));
        Stepper run = Stepper.create(m, DATA, 3);
        ExemplarClassifier f = (ExemplarClassifier) run.model();
        for (int t = 0; t < 9; t++) run.train(t);
        assertThat(f.labels()).containsOnly(-1f); // nothing before the first task end
        run.train(9);
        // 2 classes seen: 10 / 2 = 5 each, class by class
        assertThat(f.labels()).containsExactly(0, 0, 0, 0, 0, 1, 1, 1, 1, 1);
        float[] first = Arrays.copyOf(f.exemplars().data(), 10 * 16);
        for (int t = 10; t < 20; t++) run.train(t);
        // 4 classes: 10 / 4 = 2 each; classes 0 and 1 keep their first two
        assertThat(f.labels()).containsExactly(0, 0, 1, 1, 2, 2, 3, 3, -1, -1);
        float[] ex = f.exemplars().data();
        assertThat(Arrays.copyOfRange(ex, 0, 32)).containsExactly(Arrays.copyOfRange(first, 0, 32));
        assertThat(Arrays.copyOfRange(ex, 32, 64))
                .containsExactly(Arrays.copyOfRange(first, 80, 112));
    }

    @Test
    void icarlEvaluatesByNearestMeanOnceItHasExemplars() {
        Method m = Methods.create("iCaRL", MethodsTest.small("mem", "8"));
        RunResult r = m.run(DATA, 2, ProgressListener.NONE);
        assertThat(r.evals()).extracting(EvalPoint::t).containsExactly(0, 10, 20);
        EvalPoint mid = r.evals().get(1);
        // after task 0 only classes 0 and 1 have means: the others are never predicted
        assertThat(mid.testPerClass()[2]).isZero();
        assertThat(mid.testPerClass()[3]).isZero();
        assertThat(mid.testPerClass()[0] + mid.testPerClass()[1]).isPositive();
    }

    @Test
    void icarlClassMeansAreSafeUnderConcurrentEvaluation() throws Exception {
        // a shared evaluation runs f_cur's eval-mode forward on two threads at once; both must see
        // the class means whole, whichever thread computes them (a half-written cache predicted
        // class 0 for every row)
        Method m = Methods.create("iCaRL", MethodsTest.small("mem", "8"));
        Stepper run = Stepper.create(m, DATA, 3);
        ExemplarClassifier f = (ExemplarClassifier) run.model();
        for (int t = 0; t < 20; t++) run.train(t);
        f.eval();
        Var x = Var.constant(DATA.test().batch(IntStream.range(0, 40).toArray()));
        float[] want;
        try (var ng = Autograd.noGrad()) {
            want = f.forward(x).value.toArray();
        }
        // both threads drop the cache and evaluate again and again, so that one often reads the
        // means while the other is computing them
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CyclicBarrier start = new CyclicBarrier(2);
            List<Future<?>> loops = new ArrayList<>();
            for (int i = 0; i < 2; i++)
                loops.add(
                        pool.submit(
                                () -> {
                                    start.await();
                                    try (var ng = Autograd.noGrad()) {
                                        for (int round = 0; round < 3000; round++) {
                                            f.changed();
                                            assertThat(f.forward(x).value.toArray())
                                                    .as("round " + round)
                                                    .containsExactly(want);
                                        }
                                    }
                                    return null;
                                }));
            for (Future<?> l : loops) l.get();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void gemKeepsTheLastSamplesOfEachTaskInItsRing() {
        Method m = Methods.create("GEM", MethodsTest.small("mem", "6")); // 3 per task
        Stepper run = Stepper.create(m, DATA, 1);
        for (int t = 0; t < 12; t++) run.train(t);
        Gem.GemLearner l = (Gem.GemLearner) run.learner();
        // N = 4 > 3: each batch writes its first 3 samples and the cursor wraps: task 0's memory is
        // the first 3 samples of its last batch (t = 9)
        assertThat(l.slots[0]).containsExactly(Arrays.copyOf(DATA.batch(9), 3));
        assertThat(l.filled).containsExactly(3, 3);
        assertThat(l.slots[1]).containsExactly(Arrays.copyOf(DATA.batch(11), 3));
    }

    @Test
    void deviceRunsEqualTheCpuRuns() {
        for (String name : new String[] {"iCaRL", "GEM"}) {
            Map<String, String> o = MethodsTest.small("mem", "8", "iters", "2");
            RunResult cpu = Methods.create(name, o).run(DATA, 4, ProgressListener.NONE);
            o.put("device", "cuda");
            RunResult gpu;
            try (FakeDevice fake = FakeDevice.install()) {
                gpu = Methods.create(name, o).run(DATA, 4, ProgressListener.NONE);
            }
            ResumeTest.assertSameEvals(gpu.evals(), cpu.evals(), name + " on the device");
        }
    }

    @Test
    void optionsAreChecked() {
        assertThatThrownBy(() -> Methods.create("GEM", Map.of("margin", "-1")))
                .hasMessageContaining("margin");
        assertThatThrownBy(() -> Methods.create("iCaRL", Map.of("iters", "0")))
                .hasMessageContaining("iters");
        Method tiny = Methods.create("GEM", MethodsTest.small("mem", "1"));
        assertThatThrownBy(() -> tiny.run(DATA, 0, ProgressListener.NONE))
                .hasMessageContaining("mem");
    }

    @Test
    void resNetRunsContinueBitIdentically() throws Exception {
        ContinualData data = ResumeTest.images();
        for (String name : new String[] {"iCaRL", "GEM"}) {
            Method m =
                    Methods.create(
                            name, "cifar10", Map.of("resnet_nf", "4", "mem", "20", "iters", "1"));
            ResumeTest t = new ResumeTest();
            t.tmp = java.nio.file.Files.createTempDirectory("icarl-gem");
            ResumeTest.Recorder full = t.new Recorder(name, null, ResumeTest.IMAGES);
            RunResult want = m.run(data, 3, ProgressListener.NONE, full);
            RunState end = ResumeTest.read(full.saved.get(-1));
            ResumeTest.Recorder resumed =
                    t
                    .new Recorder(
                            name + "-from5", ResumeTest.read(full.saved.get(5)), ResumeTest.IMAGES);
            RunResult got = m.run(data, 3, ProgressListener.NONE, resumed);
            ResumeTest.assertSameEvals(got.evals(), want.evals(), name);
            ResumeTest.assertSameState(ResumeTest.read(resumed.saved.get(-1)), end, name);
        }
    }
}
