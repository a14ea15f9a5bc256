package arm.cli;

import arm.data.Cifar10;
import arm.run.Defaults;
import java.io.IOException;
import java.util.Map;

/**
 * CIFAR10-5: 5 tasks of 2 classes; val is the last 250 training images per class (deterministic).
 */
public final class Cifar10Dataset implements DatasetProvider {
    @Override
    public String name() {
        return "cifar10";
    }

    @Override
    public String title() {
        return "CIFAR10-5";
    }

    @Override
    public int order() {
        return 20;
    }

    @Override
    public String defaults() {
        return Defaults.CIFAR10;
    }

    @Override
    public Map<String, Paper.Row> paper() {
        return Paper.CIFAR10;
    }

    @Override
    public boolean valSplitChoice() {
        return false;
    }

    @Override
    public Source open(Request r) throws IOException {
        Cifar10.Raw raw = Cifar10.read(r.dir());
        return (seed, stationary) ->
                Cifar10.build(raw, seed, Cifar10.CIFAR10_5.withStationary(stationary));
    }
}
