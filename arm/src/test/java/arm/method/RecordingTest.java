package arm.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import arm.analysis.GradientStudy;
import arm.autograd.Autograd;
import arm.autograd.F;
import arm.autograd.Var;
import arm.data.ContinualData;
import arm.metrics.EvalPoint;
import arm.run.ProgressListener;
import arm.run.RecallRecord;
import arm.run.RecallRecorder;
import arm.run.Recording;
import arm.run.RunResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a run records for the figures (recall history, image pairs) and the gradient study, checked
 * against values recomputed through the learner's trace, and that recording never changes a run.
 */
class RecordingTest {
    // 4 classes, 2 tasks, T = 10, max_t = 20, N = 4
    static final ContinualData DATA = MethodsTest.DATA;
    static final Map<String, String> SMALL = MethodsTest.SMALL;

    /**
     * For ARM and ADI: MNIST's η1 = 25 diverges on these 4×4 images (see MethodsTest), 1 does not.
     */
    static final Map<String, String> RECALL = MethodsTest.small("eta1", "1");

    @Test
    void historyIsTheBatchMeanSoftmaxOfFOldOnTheFinalRecalledBatch() {
        for (String rounds : new String[] {"1", "2"}) {
            var s =
                    RecallOrderTest.setup(
                            Map.of(
                                    "T",
                                    "3",
                                    "recall_from_t",
                                    "3",
                                    "S",
                                    "2",
                                    "mlp_hidden",
                                    "12",
                                    "R",
                                    rounds));
            s.learner().record(new RecallRecorder(new int[] {16}, 4, 5, 3));
            List<Integer> ts = new ArrayList<>();
            List<double[]> expected = new ArrayList<>();
            s.learner()
                    .trace(
                            (event, t, xhat) -> {
                                if (!event.equals("targets")) return;
                                double[] mean = new double[4];
                                try (var ng =
                                        Autograd.noGrad()) { // the MLP has no BatchNorm, so an
                                    // extra f_old pass changes nothing
                                    float[] p =
                                            F.softmax(s.learner().fOld.forward(Var.constant(xhat)))
                                                    .value
                                                    .toArray();
                                    int m = xhat.dim(0);
                                    for (int i = 0; i < m; i++)
                                        for (int c = 0; c < 4; c++) mean[c] += p[i * 4 + c] / m;
                                }
                                if (ts.isEmpty() || ts.get(ts.size() - 1) != t) {
                                    ts.add(t);
                                    expected.add(mean);
                                } else { // R > 1: the recorder averages the rounds
                                    double[] e = expected.get(expected.size() - 1);
                                    for (int c = 0; c < 4; c++) e[c] = (e[c] + mean[c]) / 2;
                                }
                            });
            RecallOrderTest.drive(s, 12);
            RecallRecord rec = s.learner().recorder.result();
            assertThat(rec.t()).as("R=" + rounds).containsExactly(3, 4, 5, 6, 7, 8, 9, 10, 11);
            assertThat(ts)
                    .containsExactlyElementsOf(java.util.Arrays.stream(rec.t()).boxed().toList());
            for (int i = 0; i < rec.t().length; i++) {
                float sum = 0;
                for (int c = 0; c < 4; c++) {
                    assertThat((double) rec.meanProbs()[i][c])
                            .as("t=" + rec.t()[i])
                            .isCloseTo(expected.get(i)[c], within(1e-6));
                    sum += rec.meanProbs()[i][c];
                }
                assertThat(sum).isCloseTo(1f, within(1e-5f));
            }
            // images at the end of the recall tasks (windows of 5; task 0 has none): t = 9
            assertThat(rec.pairs()).extracting(RecallRecord.Pair::t).containsOnly(9);
        }
    }

    @Test
    void imagesAtTheEndOfAtMostFiveRecallTasks() {
        RecallRecorder mnist = new RecallRecorder(new int[] {784}, 10, 100, 5);
        List<Integer> at = new ArrayList<>();
        for (int t = 0; t < 500; t++) if (mnist.wantsImages(t)) at.add(t);
        assertThat(at).containsExactly(199, 299, 399, 499);
        RecallRecorder mini = new RecallRecorder(new int[] {3, 84, 84}, 100, 684, 20);
        at.clear();
        for (int t = 0; t < 20 * 684; t++) if (mini.wantsImages(t)) at.add(t / 684);
        assertThat(at).containsExactly(1, 6, 10, 15, 19);
    }

    @Test
    void pairsAreDistinctRealRowsWithFOldsTopClassAndTheirOriginalImages() {
        Method arm = Methods.create("ARM", RECALL); // M = 10 from N = 4: at most 4 distinct rows
        RunResult r = arm.run(DATA, 3, ProgressListener.NONE, new Recording(true, 0));
        RecallRecord rec = r.recall();
        assertThat(rec.t()).hasSize(10).startsWith(10).endsWith(19);
        assertThat(rec.pairs())
                .isNotEmpty()
                .hasSizeLessThanOrEqualTo(4)
                .allSatisfy(
                        p -> {
                            assertThat(p.t()).isEqualTo(19);
                            assertThat(p.originator()).isIn(2, 3); // the last task's classes
                            assertThat(p.target()).isBetween(0, 3);
                            assertThat(p.probability()).isBetween(0.25f, 1f);
                            assertThat(p.initial()).hasSize(16).isNotEqualTo(p.recalled());
                            for (float v : p.initial()) assertThat(v).isBetween(0f, 1f);
                        });
        // the initial images are real training images of their originator class
        for (RecallRecord.Pair p : rec.pairs()) {
            boolean found = false;
            for (int b : DATA.batch(19)) {
                float[] img = DATA.train().batch(new int[] {b}).toArray();
                found |=
                        java.util.Arrays.equals(img, p.initial())
                                && DATA.train().labels()[b] == p.originator();
            }
            assertThat(found).isTrue();
        }
    }

    @Test
    void recordingAndTheGradientStudyNeverChangeTheRun() {
        Method arm = Methods.create("ARM", RECALL);
        RunResult plain = arm.run(DATA, 5, ProgressListener.NONE);
        RunResult recorded = arm.run(DATA, 5, ProgressListener.NONE, new Recording(true, 30));
        assertThat(plain.recall()).isNull();
        assertThat(plain.gradients()).isNull();
        assertThat(recorded.evals()).hasSameSizeAs(plain.evals());
        for (int i = 0; i < plain.evals().size(); i++) {
            EvalPoint a = plain.evals().get(i), b = recorded.evals().get(i);
            assertThat(b.testPerClass()).containsExactly(a.testPerClass());
            assertThat(b.valPerClass()).containsExactly(a.valPerClass());
        }
        GradientStudy.Result g = recorded.gradients();
        assertThat(g.samples()).hasSize(30);
        assertThat(g.layers()).containsExactly("FC 1", "FC 2", "FC 3", "All");
        assertThat(g.samples()).allSatisfy(s -> assertThat(s.originator()).isIn(2, 3));
        // Naive has no recall: nothing is recorded
        RunResult naive =
                Methods.create("Naive", SMALL)
                        .run(DATA, 5, ProgressListener.NONE, new Recording(true, 30));
        assertThat(naive.recall()).isNull();
        assertThat(naive.gradients()).isNull();
    }

    @Test
    void adiRecordsToo() {
        RunResult r =
                Methods.create("ADI", RECALL)
                        .run(DATA, 2, ProgressListener.NONE, new Recording(true, 8));
        assertThat(r.recall().t()).isNotEmpty();
        assertThat(r.gradients().samples()).hasSize(8);
    }

    @Test
    void finerEvaluationLeavesTheReportedNumbersUnchanged() {
        RunResult coarse = Methods.create("ARM", RECALL).run(DATA, 4, ProgressListener.NONE);
        RunResult fine =
                Methods.create("ARM", MethodsTest.small("eval_every", "3", "eta1", "1"))
                        .run(DATA, 4, ProgressListener.NONE);
        for (var split : arm.metrics.Metrics.Split.values()) {
            var a = arm.metrics.Metrics.of(coarse.evals(), split, 4, 2, false, 10);
            var b = arm.metrics.Metrics.of(fine.evals(), split, 4, 2, false, 10);
            assertThat(b.finalAccuracy()).isEqualTo(a.finalAccuracy());
            assertThat(b.finalForgetting()).isEqualTo(a.finalForgetting());
        }
    }

    @Test
    void finerEvaluationAddsPointsKeepsEveryTaskBoundary() {
        RunResult r =
                Methods.create("ARM", MethodsTest.small("eval_every", "3", "eta1", "1"))
                        .run(DATA, 3, ProgressListener.NONE);
        assertThat(r.evals())
                .extracting(EvalPoint::t)
                .containsExactly(0, 3, 6, 9, 10, 12, 15, 18, 20);
    }
}
