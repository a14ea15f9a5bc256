package arm.method;

import arm.data.ContinualData;
import arm.nn.Mlp;
import arm.nn.Module;
import arm.nn.ResNet18;
import arm.nn.TorchRandom;
import arm.tensor.Shape;
import java.util.SplittableRandom;

/**
 * Builds the network a run trains (ALGORITHM.md §5): the MLP for flat inputs, ResNet18 for images
 * (the CIFAR head for 32×32, the MiniImageNet head for 84×84).
 */
final class Models {
    private Models() {}

    /**
     * @param hidden MLP width (400 published; smaller only for fast tests)
     * @param nf ResNet18 base width (20 published; smaller only for fast tests)
     */
    static Module create(
            String type, int hidden, int nf, ContinualData data, SplittableRandom rng) {
        int[] item = data.train().itemShape();
        String t = type.equals("auto") ? (item.length == 1 ? "mlp" : "resnet18") : type;
        return switch (t) {
            case "mlp" -> new Mlp(data.train().itemSize(), hidden, data.numClasses(), rng);
            case "resnet18" ->
                    new ResNet18(
                            resnetVariant(item, data.numClasses()), nf, data.numClasses(), rng);
            default ->
                    throw new IllegalArgumentException(
                            "model "
                                    + t
                                    + " is not available in this build (images "
                                    + Shape.str(item)
                                    + ")");
        };
    }

    /**
     * The authors' model for run id {@code runId}, initialised from PyTorch's generator after
     * torch.manual_seed(runId) as their code does (rng = authors). Only the MLP: their ResNet18
     * initialises on other draws, on the GPU.
     */
    static Module createAuthors(String type, int hidden, ContinualData data, long runId) {
        int[] item = data.train().itemShape();
        if (!(type.equals("mlp") || type.equals("auto")) || item.length != 1)
            throw new IllegalArgumentException(
                    "rng=authors replays the authors' MNIST streams: it needs the MLP on flat"
                            + " inputs, not model "
                            + type
                            + " on "
                            + Shape.str(item)
                            + " inputs");
        return new Mlp(item[0], hidden, data.numClasses(), new TorchRandom(runId));
    }

    /** c, H, W of one image for the TV term: as given, or a flat square image viewed as 1×√n×√n. */
    static int[] imageShape(int[] item) {
        if (item.length == 3) return item.clone();
        int n = 1;
        for (int d : item) n *= d;
        int side = (int) Math.round(Math.sqrt(n));
        if (item.length != 1 || side * side != n)
            throw new IllegalArgumentException(
                    "cannot view images of shape " + Shape.str(item) + " as c×H×W");
        return new int[] {1, side, side};
    }

    /**
     * The variant that fits the images: 3×32×32 → CIFAR (10 classes), 3×84×84 → MiniImageNet (100);
     * fewer classes (--tasks) keep the variant, with a smaller head.
     */
    static ResNet18.Variant resnetVariant(int[] item, int classes) {
        for (ResNet18.Variant v : ResNet18.Variant.values())
            if (item.length == 3
                    && item[0] == 3
                    && item[1] == v.imageSize
                    && item[2] == v.imageSize
                    && classes >= 1
                    && classes <= v.classes) return v;
        throw new IllegalArgumentException(
                "ResNet18 is defined for 3×32×32 images with up to 10 classes or 3×84×84 with up to"
                        + " 100, not "
                        + Shape.str(item)
                        + " with "
                        + classes);
    }
}
