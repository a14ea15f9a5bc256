package arm.cli;

import arm.data.ContinualData;
import arm.data.Mnist;
import arm.data.Mnist5k;
import arm.nn.Mlp;
import arm.run.Defaults;
import java.io.IOException;
import java.util.Map;

/** MNIST-5k-5: 500 training images per class, 5 tasks of 2 classes (ALGORITHM.md §5). */
public final class MnistDataset implements DatasetProvider {
    @Override
    public String name() {
        return "mnist";
    }

    @Override
    public String title() {
        return "MNIST-5k-5";
    }

    @Override
    public int order() {
        return 10;
    }

    @Override
    public String defaults() {
        return Defaults.MNIST;
    }

    @Override
    public Map<String, Paper.Row> paper() {
        return Paper.MNIST;
    }

    @Override
    public boolean mnistProtocol() {
        return true;
    }

    @Override
    public Source open(Request r) throws IOException {
        Mnist.Raw raw = Mnist.load(r.dir());
        Mnist5k.Config m =
                Mnist5k.MNIST5K
                        .withSharedValSplit(r.sharedValSplit())
                        .withStream(
                                Mnist5k.Stream.valueOf(
                                        r.stream().toUpperCase(java.util.Locale.ROOT)));
        Integer spc = r.samplesPerClass();
        Mnist5k.Config p =
                spc == null
                        ? m
                        : new Mnist5k.Config(
                                m.classesPerTask(),
                                m.trainFraction(),
                                spc,
                                m.batchSize(),
                                m.taskRepeats(),
                                m.sharedValSplit(),
                                m.stationary(),
                                m.stream());
        return new Source() {
            @Override
            public ContinualData data(long seed, boolean stationary) {
                return Mnist5k.build(
                        raw.train(),
                        raw.test(),
                        Mnist.NUM_CLASSES,
                        seed,
                        p.withStationary(stationary));
            }

            @Override // the MLP draws its weights first
            public ContinualData authors(long runId, boolean stationary, int mlpHidden) {
                return Mnist5k.buildAuthors(
                        raw.train(),
                        raw.test(),
                        Mnist.NUM_CLASSES,
                        runId,
                        Mlp.torchInitDraws(Mnist.ROWS * Mnist.COLS, mlpHidden, Mnist.NUM_CLASSES),
                        p.withStationary(stationary));
            }
        };
    }
}
