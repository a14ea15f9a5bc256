package arm.cli;

import arm.data.MiniImageNet;
import arm.run.Defaults;
import java.io.IOException;
import java.util.Map;

/**
 * MiniImageNet-20: 20 tasks of 5 classes, each task block seen 3 times (a decoded cache beside the
 * images).
 */
public final class MiniImageNetDataset implements DatasetProvider {
    @Override
    public String name() {
        return "miniimagenet";
    }

    @Override
    public String title() {
        return "MiniImageNet-20";
    }

    @Override
    public int order() {
        return 30;
    }

    @Override
    public String defaults() {
        return Defaults.MINIIMAGENET;
    }

    @Override
    public Map<String, Paper.Row> paper() {
        return Paper.MINIIMAGENET;
    }

    @Override
    public Source open(Request r) throws IOException {
        MiniImageNet.Raw raw = MiniImageNet.read(r.dir(), r.dir().resolve(MiniImageNet.CACHE_NAME));
        MiniImageNet.Config p = MiniImageNet.MINIIMAGENET_20.withSharedValSplit(r.sharedValSplit());
        return (seed, stationary) -> MiniImageNet.build(raw, seed, p.withStationary(stationary));
    }
}
