package arm.method;

import static org.assertj.core.api.Assertions.assertThat;

import arm.analysis.GradientStudy;
import arm.data.ContinualData;
import arm.data.Dataset;
import arm.io.Checkpoint;
import arm.metrics.EvalPoint;
import arm.run.Checkpointer;
import arm.run.Draws;
import arm.run.ProgressListener;
import arm.run.RecallRecord;
import arm.run.Recording;
import arm.run.RunResult;
import arm.run.RunState;
import arm.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact resume in process: every method (and the ARM variants with extra random draws) is stopped
 * at several iterations, its state written to a real checkpoint file and read back into a freshly
 * built run, which must finish with the same weights (bit for bit), the same evaluations and the
 * same learner state as the run that never stopped.
 */
class ResumeTest {
    static final ContinualData DATA = MethodsTest.DATA; // T = 10, max_t = 20
    @TempDir Path tmp;

    /** Records an encoded checkpoint at every iteration; optionally starts from a given state. */
    final class Recorder implements Checkpointer {
        final Map<Integer, Path> saved = new TreeMap<>();
        final RunState from;
        final String tag;
        final Checkpoint.Identity id;

        Recorder(String tag, RunState from) {
            this(tag, from, ID);
        }

        Recorder(String tag, RunState from, Checkpoint.Identity id) {
            this.tag = tag;
            this.from = from;
            this.id = id;
        }

        @Override
        public RunState restore() {
            return from;
        }

        @Override
        public boolean due(int t, boolean taskEnd) {
            return true;
        }

        @Override
        public void save(RunState s) {
            try {
                Path f =
                        tmp.resolve(
                                tag
                                        + "-"
                                        + s.t()
                                        + (s.complete() ? "-final" : "")
                                        + ".safetensors");
                Files.write(f, Checkpoint.encode(id, s, "test"));
                saved.put(s.complete() ? -1 : s.t(), f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static final Checkpoint.Identity ID =
            new Checkpoint.Identity("X", 0, 1, Map.of(), 20, 4, "synthetic");
    static final Checkpoint.Identity IMAGES =
            new Checkpoint.Identity("X", 0, 3, Map.of(), 10, 10, "images");

    static RunState read(Path f) {
        try {
            return Checkpoint.read(f).state();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, String> opts(String... kv) {
        Map<String, String> m = new HashMap<>(Map.of("mlp_hidden", "16"));
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void everyMethodContinuesBitIdenticallyFromEveryStop() {
        List<Object[]> variants = new ArrayList<>();
        for (String name :
                Methods.NAMES) // every method, so a new one without its state hooks fails here
        variants.add(
                    new Object[] {
                        name, name.equals("ARM") || name.equals("ADI") ? opts("eta1", "1") : opts()
                    });
        variants.add(new Object[] {"ADI", opts("eta1", "1", "T", "3")});
        variants.add(
                new Object[] {
                    "GEN-MIR",
                    opts(
                            "mir_init",
                            "posterior",
                            "mir_iters",
                            "2",
                            "n_mem",
                            "2",
                            "gen_rec",
                            "0.1",
                            "cls_shell",
                            "0.5",
                            "gen_shell",
                            "0.5")
                });
        variants.add(new Object[] {"GEN", opts("reuse_samples", "false", "warmup", "0")});
        variants.add(new Object[] {"ER-MIR", opts("old_logits", "slot", "mem", "12")});
        variants.add(new Object[] {"ER-MIR", opts("old_logits", "position", "reservoir", "mir")});
        variants.add(
                new Object[] {
                    "ARM",
                    opts(
                            "eta1",
                            "1",
                            "lag",
                            "random",
                            "lag_min",
                            "2",
                            "lag_max",
                            "5",
                            "recall_from_t",
                            "2")
                });
        variants.add(new Object[] {"ARM", opts("eta1", "1", "init", "noise", "M", "6")});
        variants.add(
                new Object[] {
                    "ARM", opts("eta1", "1", "rng", "authors")
                }); // numpy's draws, looked up by t
        variants.add(new Object[] {"ADI", opts("eta1", "1", "rng", "authors")});
        variants.add(
                new Object[] {
                    "ARM", opts("eta1", "1", "R", "2", "from_scratch", "true", "M", "13")
                });
        for (Object[] v : variants) {
            // before the first task end, at it, just after, and the last iteration; fewer for the
            // variants
            int[] stops =
                    v[0].equals("ARM") && variants.indexOf(v) == Methods.NAMES.indexOf("ARM")
                            ? new int[] {1, 10, 13, 19}
                            : new int[] {7, 11};
            @SuppressWarnings("unchecked")
            Method m = Methods.create((String) v[0], (Map<String, String>) v[1]);
            String name = v[0] + " " + v[1];
            Recorder full = new Recorder("full", null);
            RunResult want = m.run(DATA, 5, ProgressListener.NONE, full);
            RunState end = read(full.saved.get(-1));
            assertThat(end.complete()).isTrue();
            for (int stop : stops) {
                Recorder resumed = new Recorder("from" + stop, read(full.saved.get(stop)));
                List<Integer> progress = new ArrayList<>();
                RunResult got = m.run(DATA, 5, (t, maxT) -> progress.add(t), resumed);
                assertThat(progress).as(name).hasSize(20); // skipped iterations are reported too
                assertSameEvals(got.evals(), want.evals(), name + " from " + stop);
                assertSameState(read(resumed.saved.get(-1)), end, name + " from " + stop);
            }
        }
    }

    /** 3×32×32 images, 10 classes in 5 tasks, N = 10, 2 batches per task: ResNet18 (CIFAR head). */
    static ContinualData images() {
        SplittableRandom r = new SplittableRandom(4);
        int item = 3 * 32 * 32, perClass = 10;
        byte[] px = new byte[10 * perClass * item];
        r.nextBytes(px);
        int[] labels = new int[10 * perClass], stream = new int[10 * perClass];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i / perClass;
            stream[i] = i;
        }
        Dataset d = new Dataset("images", px, labels, new int[] {3, 32, 32});
        return new ContinualData(
                d,
                stream,
                d.subset("val", new int[] {0, 15, 33, 47, 51, 68, 72, 89}),
                d.subset("test", new int[] {5, 12, 25, 38, 44, 59, 61, 77, 83, 96}),
                10,
                2,
                10);
    }

    @Test
    void resNetRunsWithBatchNormStateContinueBitIdentically() {
        ContinualData data = images();
        for (String name : List.of("ARM", "ADI")) {
            Method m =
                    Methods.create(name, "cifar10", Map.of("resnet_nf", "4", "M", "6", "S", "1"));
            Recorder full = new Recorder(name + "-resnet", null, IMAGES);
            RunResult want = m.run(data, 3, ProgressListener.NONE, full);
            RunState end = read(full.saved.get(-1));
            assertThat(end.tensors().keySet())
                    .anyMatch(k -> k.startsWith("f_old.") && k.contains("running_mean"));
            for (int stop : new int[] {name.equals("ARM") ? 3 : 7}) {
                Recorder resumed =
                        new Recorder(
                                name + "-resnet-from" + stop, read(full.saved.get(stop)), IMAGES);
                RunResult got = m.run(data, 3, ProgressListener.NONE, resumed);
                assertSameEvals(got.evals(), want.evals(), name + " resnet from " + stop);
                assertSameState(read(resumed.saved.get(-1)), end, name + " resnet from " + stop);
            }
        }
    }

    /**
     * GEN on images: the ResNet18 and the gated-conv VAE (GEN-MIR's search adds no state to GEN's;
     * both continue bit-identically on MNIST above).
     */
    @Test
    void genOnCifarImagesContinuesBitIdentically() {
        ContinualData data = images();
        Map<String, String> o =
                Map.of(
                        "resnet_nf", "4",
                        "z_size", "3",
                        "gen_iters", "1",
                        "cls_iters", "2",
                        "n_mem", "1",
                        "warmup", "15");
        Method m = Methods.create("GEN", "cifar10", o);
        Recorder full = new Recorder("gen-cifar", null, IMAGES);
        RunResult want = m.run(data, 3, ProgressListener.NONE, full);
        RunState end = read(full.saved.get(-1));
        assertThat(end.tensors().keySet()).anyMatch(k -> k.startsWith("prev_gen.dec0."));
        int stop = 3; // just after the first task end: f_prev and G_prev exist
        Recorder resumed =
                new Recorder("gen-cifar-from" + stop, read(full.saved.get(stop)), IMAGES);
        RunResult got = m.run(data, 3, ProgressListener.NONE, resumed);
        assertSameEvals(got.evals(), want.evals(), "GEN cifar from " + stop);
        assertSameState(read(resumed.saved.get(-1)), end, "GEN cifar from " + stop);
    }

    @Test
    void recordingsContinueBitIdenticallyToo() {
        Method m = Methods.create("ARM", opts("eta1", "1", "R", "2"));
        Recording rec = new Recording(true, 20);
        Recorder full = new Recorder("rec", null);
        RunResult want = m.run(DATA, 6, ProgressListener.NONE, rec, full);
        assertThat(want.recall().t()).isNotEmpty();
        assertThat(want.recall().pairs()).isNotEmpty();
        for (int stop :
                new int[] {12, 19}) { // within the recall window, and just before a kept image
            Recorder resumed = new Recorder("rec-from" + stop, read(full.saved.get(stop)));
            RunResult got = m.run(DATA, 6, ProgressListener.NONE, rec, resumed);
            String what = "recording from " + stop;
            assertThat(got.recall().t()).as(what).containsExactly(want.recall().t());
            for (int i = 0; i < want.recall().t().length; i++)
                assertThat(got.recall().meanProbs()[i])
                        .as(what)
                        .containsExactly(want.recall().meanProbs()[i]);
            assertThat(got.recall().pairs()).as(what).hasSameSizeAs(want.recall().pairs());
            for (int i = 0; i < want.recall().pairs().size(); i++) {
                RecallRecord.Pair p = got.recall().pairs().get(i), q = want.recall().pairs().get(i);
                assertThat(List.of(p.t(), p.originator(), p.target()))
                        .as(what)
                        .isEqualTo(List.of(q.t(), q.originator(), q.target()));
                assertThat(p.probability()).isEqualTo(q.probability());
                assertThat(p.recalled()).containsExactly(q.recalled());
                assertThat(p.initial()).containsExactly(q.initial());
            }
            assertThat(got.gradients().samples())
                    .as(what)
                    .hasSameSizeAs(want.gradients().samples());
            assertThat(got.gradients().table(GradientStudy.Targets.SOFT))
                    .as(what)
                    .isEqualTo(want.gradients().table(GradientStudy.Targets.SOFT));
        }
    }

    @Test
    void generatedSamplesContinueBitIdenticallyAndLeaveTrainingAlone() {
        Method m = Methods.create("GEN", opts("gen_hidden", "8", "z_size", "4"));
        Recording figures = new Recording(true, 0);
        Recorder full = new Recorder("gen-rec", null);
        RunResult want = m.run(DATA, 6, ProgressListener.NONE, figures, full);
        assertThat(want.generated().tasks()).containsExactly(0, 1);
        assertThat(want.generated().perTask()).isEqualTo(GenSampler.PER_TASK);
        RunResult plain =
                m.run(DATA, 6, ProgressListener.NONE, Recording.NONE, new Recorder("gen", null));
        assertThat(plain.generated()).isNull();
        assertSameEvals(plain.evals(), want.evals(), "GEN without figures");
        RunState end = read(full.saved.get(-1));
        for (int stop : new int[] {7, 12}) { // before the first task end and after it
            Recorder resumed = new Recorder("gen-rec-from" + stop, read(full.saved.get(stop)));
            RunResult got = m.run(DATA, 6, ProgressListener.NONE, figures, resumed);
            String what = "GEN samples from " + stop;
            assertThat(got.generated().tasks()).as(what).containsExactly(0, 1);
            for (int i = 0; i < 2; i++)
                assertThat(got.generated().images()[i])
                        .as(what)
                        .containsExactly(want.generated().images()[i]);
            assertSameState(read(resumed.saved.get(-1)), end, what);
        }
    }

    @Test
    void aFinishedRunIsNotTrainedAgain() {
        Method m = Methods.create("Naive", opts());
        Recorder full = new Recorder("full", null);
        RunResult want = m.run(DATA, 2, ProgressListener.NONE, full);
        Recorder again = new Recorder("again", read(full.saved.get(-1)));
        RunResult got = m.run(DATA, 2, ProgressListener.NONE, again);
        assertSameEvals(got.evals(), want.evals(), "finished");
        assertThat(again.saved).isEmpty();
    }

    @Test
    void withoutCheckpointsTheRunIsTheSame() {
        Method m = Methods.create("ARM", opts("eta1", "1"));
        RunResult plain = m.run(DATA, 3, ProgressListener.NONE);
        RunResult ck = m.run(DATA, 3, ProgressListener.NONE, new Recorder("x", null));
        assertSameEvals(ck.evals(), plain.evals(), "checkpointing changes nothing");
    }

    @Test
    void drawStreamsDifferAcrossIterationsAndSites() {
        Set<Long> first = new HashSet<>();
        for (int t = 0; t < 2000; t++)
            for (int p :
                    new int[] {Draws.LAG, Draws.CLASSES, Draws.RECALL_INIT, Draws.RECALL_INIT + 1})
                first.add(Draws.at(99, t, p).nextLong());
        assertThat(first).hasSize(8000);
        assertThat(Draws.at(99, 5, Draws.LAG).nextLong())
                .isEqualTo(Draws.at(99, 5, Draws.LAG).nextLong());
    }

    static void assertSameEvals(List<EvalPoint> got, List<EvalPoint> want, String what) {
        assertThat(got).as(what).hasSameSizeAs(want);
        for (int i = 0; i < want.size(); i++) {
            EvalPoint g = got.get(i), w = want.get(i);
            assertThat(g.t()).as(what).isEqualTo(w.t());
            assertThat(g.seenClasses()).as(what).containsExactly(w.seenClasses());
            assertThat(g.lastTask()).as(what).isEqualTo(w.lastTask());
            assertThat(g.valPerClass()).as(what).containsExactly(w.valPerClass());
            assertThat(g.testPerClass()).as(what).containsExactly(w.testPerClass());
            assertThat(g.valPooled()).as(what).isEqualTo(w.valPooled());
            assertThat(g.testPooled()).as(what).isEqualTo(w.testPooled());
        }
    }

    static void assertSameState(RunState got, RunState want, String what) {
        assertThat(got.t()).as(what).isEqualTo(want.t());
        assertThat(got.tensors().keySet()).as(what).isEqualTo(want.tensors().keySet());
        for (var e : want.tensors().entrySet()) {
            Tensor g = got.tensors().get(e.getKey());
            int[] a = bits(g.toArray()), b = bits(e.getValue().toArray());
            // AssertJ's element diff is quadratic: millions of VAE weights need Arrays.mismatch
            assertThat(a.length).as(what + " " + e.getKey()).isEqualTo(b.length);
            assertThat(java.util.Arrays.mismatch(a, b))
                    .as(what + " " + e.getKey() + ": first differing element")
                    .isEqualTo(-1);
        }
        assertThat(got.values().keySet()).as(what).isEqualTo(want.values().keySet());
        for (var e : want.values().entrySet())
            assertThat(got.values().get(e.getKey()))
                    .as(what + " " + e.getKey())
                    .containsExactly(e.getValue());
        assertThat(got.seenClasses()).as(what).containsExactly(want.seenClasses());
        assertSameEvals(got.evals(), want.evals(), what);
    }

    static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
        return b;
    }
}
