package arm.gen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import arm.data.Cifar10;
import arm.data.ContinualData;
import arm.data.Dataset;
import arm.data.IdxFiles;
import arm.data.MiniImageNet;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator's datasets load through the real loaders and pass their checks, and the same spec
 * gives the same bytes. A small MNIST stand-in (a few digits per class) keeps it fast: every
 * generated image reuses those digits in another size, place and colour.
 */
class GeneratorTest {
    @TempDir static Path shared;
    @TempDir Path tmp;
    static Path mnist;

    @BeforeAll
    static void smallMnist() throws IOException {
        mnist = shared.resolve("mnist");
        int[] train = new int[10], test = new int[10];
        Arrays.fill(train, 6);
        Arrays.fill(test, 3);
        IdxFiles.writeMnist(mnist, train, test, false);
    }

    static Generator.Spec cifar(Path out, Generator.Source source, long seed, int threads) {
        return new Generator.Spec(
                Generator.Kind.cifar10,
                out,
                source,
                mnist,
                22,
                3,
                seed,
                Generator.Format.both,
                threads);
    }

    static JsonNode info(Path dir) throws IOException {
        return new ObjectMapper().readTree(dir.resolve(Generator.INFO).toFile());
    }

    @Test
    void cifarLoadsInBothFormatsAsCifar10_5() throws IOException {
        Path out = tmp.resolve("cifar");
        List<String> lines = Generator.generate(cifar(out, Generator.Source.mnist, 0, 2), s -> {});
        assertThat(lines).hasSize(2).allMatch(l -> l.contains("20 iterations (T = 4)"));
        Cifar10.Raw py = Cifar10.read(out), bin = Cifar10.read(out.resolve(Cifar10.BIN_DIR));
        assertThat(py.source()).contains("python");
        assertThat(bin.source()).contains("binary");
        for (Cifar10.Raw raw : List.of(py, bin)) {
            assertThat(raw.train().size()).isEqualTo(220);
            assertThat(raw.test().size()).isEqualTo(30);
            assertThat(perClass(raw.train())).containsOnly(22);
            assertThat(perClass(raw.test())).containsOnly(3);
        }
        assertThat(bin.train().pixels()).isEqualTo(py.train().pixels());
        assertThat(bin.train().labels()).isEqualTo(py.train().labels());
        assertThat(bin.test().pixels()).isEqualTo(py.test().pixels());
        // classes interleaved, as in the real files: not sorted by label
        int[] l = py.train().labels();
        assertThat(l).isNotEqualTo(Arrays.stream(l).sorted().toArray());
        ContinualData d = Cifar10.build(py, 0, Cifar10.CIFAR10_5);
        assertThat(d.numBatches()).isEqualTo(20);
        assertThat(d.val().size()).isEqualTo(10);
        assertThat(Files.list(tmp).map(p -> p.getFileName().toString()))
                .containsExactly("cifar"); // no partial folder left
    }

    @Test
    void theSameSpecGivesTheSameBytesOnAnyThreadCount() throws IOException {
        Generator.generate(cifar(tmp.resolve("a"), Generator.Source.mnist, 7, 1), s -> {});
        Generator.generate(cifar(tmp.resolve("b"), Generator.Source.mnist, 7, 3), s -> {});
        Generator.generate(cifar(tmp.resolve("c"), Generator.Source.mnist, 8, 2), s -> {});
        JsonNode a = info(tmp.resolve("a")).get("sha256"), b = info(tmp.resolve("b")).get("sha256");
        assertThat(a.size()).isEqualTo(14); // 6 + meta per format
        assertThat(b).isEqualTo(a);
        assertThat(info(tmp.resolve("c")).get("sha256").get("cifar-10-batches-bin/test_batch.bin"))
                .isNotEqualTo(a.get("cifar-10-batches-bin/test_batch.bin"));
        assertThat(Generator.sha256(tmp.resolve("b/cifar-10-batches-py/data_batch_3")))
                .isEqualTo(a.get("cifar-10-batches-py/data_batch_3").asText());
    }

    @Test
    void noiseNeedsNoMnist() throws IOException {
        Generator.Spec s = cifar(tmp.resolve("n"), Generator.Source.noise, 0, 2);
        s =
                new Generator.Spec(
                        s.kind(),
                        s.out(),
                        s.source(),
                        tmp.resolve("nowhere"),
                        s.perClass(),
                        s.testPerClass(),
                        0,
                        Generator.Format.binary,
                        2);
        Generator.generate(s, x -> {});
        assertThat(tmp.resolve("n").resolve(Cifar10.PY_DIR)).doesNotExist();
        assertThat(Cifar10.read(tmp.resolve("n")).train().size()).isEqualTo(220);
    }

    @Test
    void miniImageNetLoadsAsMiniImageNet20() throws IOException {
        Path out = tmp.resolve("mini");
        Generator.generate(
                new Generator.Spec(
                        Generator.Kind.miniimagenet,
                        out,
                        Generator.Source.mnist,
                        mnist,
                        22,
                        0,
                        0,
                        Generator.Format.both,
                        2),
                s -> {});
        MiniImageNet.Listing l = MiniImageNet.readListing(out);
        assertThat(l.numClasses()).isEqualTo(100);
        assertThat(l.files()).hasSize(2200);
        ContinualData d =
                MiniImageNet.load(out, tmp.resolve("cache.u8"), 0, MiniImageNet.MINIIMAGENET_20);
        assertThat(d.train().size()).isEqualTo(1600); // ⌊0.95·5·17⌋ = 80 per task
        assertThat(d.val().size()).isEqualTo(100);
        assertThat(d.test().size()).isEqualTo(500);
        assertThat(d.numBatches()).isEqualTo(480); // each task block 3 times
        assertThat(perClass(d.test())).hasSize(100).containsOnly(5);
        // the JPEG round trip keeps the picture: mean absolute difference of a few grey levels
        byte[] painted =
                Generator.paint(
                        new Generator.Spec(
                                Generator.Kind.miniimagenet,
                                out,
                                Generator.Source.mnist,
                                mnist,
                                22,
                                0,
                                0,
                                Generator.Format.both,
                                1),
                        Generator.Digits.load(mnist),
                        84,
                        0,
                        0,
                        0,
                        0,
                        0);
        int first = 0; // listing index 0 is class 0's image 0, the first of the train pool
        Dataset all = MiniImageNet.read(out, tmp.resolve("cache.u8")).all();
        byte[] decoded = Arrays.copyOfRange(all.pixels(), first, first + painted.length);
        double diff = 0;
        for (int i = 0; i < painted.length; i++)
            diff += Math.abs((painted[i] & 0xFF) - (decoded[i] & 0xFF));
        assertThat(diff / painted.length).isLessThan(6);
    }

    @Test
    void countsAreCheckedWithTheLoadersArithmetic() {
        for (int n = 1; n <= 120; n++) {
            boolean builds;
            try {
                int[] labels = new int[n * 10];
                for (int i = 0; i < labels.length; i++) labels[i] = i % 10;
                Dataset train = new Dataset("t", new byte[labels.length], labels, new int[] {1});
                Dataset test = new Dataset("t", new byte[10], new int[10], new int[] {1});
                ContinualData d =
                        Cifar10.build(new Cifar10.Raw(train, test, ""), 0, Cifar10.CIFAR10_5);
                builds = d.val().size() > 0;
            } catch (IllegalArgumentException e) {
                builds = false;
            }
            assertThat(Generator.cifarBuilds(n)).as("cifar10 per class %d", n).isEqualTo(builds);
        }
        for (int n = 1; n <= 120; n++) {
            int[] labels = new int[n * 100];
            for (int i = 0; i < labels.length; i++) labels[i] = i / n;
            boolean builds;
            try {
                MiniImageNet.Split s =
                        MiniImageNet.split(labels, 100, 0, MiniImageNet.MINIIMAGENET_20);
                builds = s.val().length > 0 && s.test().length > 0 && s.stream().length > 0;
            } catch (IllegalArgumentException e) {
                builds = false;
            }
            assertThat(Generator.miniBuilds(n))
                    .as("miniimagenet per class %d", n)
                    .isEqualTo(builds);
        }
        assertThat(Generator.countProblem(Generator.Kind.cifar10, 5000, 1000)).isNull();
        assertThat(Generator.countProblem(Generator.Kind.miniimagenet, 600, 0)).isNull();
        assertThat(Generator.countProblem(Generator.Kind.cifar10, 20, 4))
                .contains("--per-class 20")
                .contains("nearest that work: ");
        assertThat(Generator.countProblem(Generator.Kind.miniimagenet, 30, 0))
                .contains("nearest that work: 24 or 48");
        assertThat(Generator.countProblem(Generator.Kind.cifar10, 20, 4))
                .endsWith("nearest that work: 22");
    }

    @Test
    void aFolderInTheWayIsRefusedAndLeftAlone() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(out.resolve("mine.txt"), "keep");
        assertThatThrownBy(
                        () -> Generator.generate(cifar(out, Generator.Source.noise, 0, 1), s -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an empty folder");
        assertThat(Files.readString(out.resolve("mine.txt"))).isEqualTo("keep");
    }

    static int[] perClass(Dataset d) {
        int k = Arrays.stream(d.labels()).max().orElse(0) + 1;
        int[] c = new int[k];
        for (int y : d.labels()) c[y]++;
        return c;
    }
}
