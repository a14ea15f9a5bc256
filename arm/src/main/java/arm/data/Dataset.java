package arm.data;

import arm.tensor.Tensor;

/**
 * A labelled image set held as uint8 pixels (one byte per channel value, CHW order per image), so
 * that even MiniImageNet fits in memory; batches are converted to float32 in [0,1] (value/255) on
 * demand.
 *
 * @param name for messages, e.g. "mnist train"
 * @param pixels n · itemSize bytes, image i at [i·itemSize, (i+1)·itemSize)
 * @param labels n labels in [0, numClasses)
 * @param itemShape shape of one image: {784} for the MLP, {3, 32, 32}, {3, 84, 84}
 */
public record Dataset(String name, byte[] pixels, int[] labels, int[] itemShape) {

    public Dataset {
        int item = 1;
        for (int d : itemShape) item *= d;
        if ((long) labels.length * item != pixels.length)
            throw new IllegalArgumentException(
                    name
                            + ": "
                            + pixels.length
                            + " pixel bytes for "
                            + labels.length
                            + " images of "
                            + item);
    }

    public int size() {
        return labels.length;
    }

    public int itemSize() {
        return pixels.length / Math.max(1, labels.length);
    }

    /** Images idx[0..] as a host tensor [idx.length, ...itemShape] with values in [0,1]. */
    public Tensor batch(int[] idx) {
        int item = itemSize();
        float[] out = new float[idx.length * item];
        for (int b = 0; b < idx.length; b++) {
            int src = idx[b] * item, dst = b * item;
            for (int i = 0; i < item; i++) out[dst + i] = (pixels[src + i] & 0xFF) / 255f;
        }
        int[] shape = new int[itemShape.length + 1];
        shape[0] = idx.length;
        System.arraycopy(itemShape, 0, shape, 1, itemShape.length);
        return Tensor.of(out, shape);
    }

    public int[] labels(int[] idx) {
        int[] out = new int[idx.length];
        for (int b = 0; b < idx.length; b++) out[b] = labels[idx[b]];
        return out;
    }

    /** The subset idx, in that order (a copy). */
    public Dataset subset(String newName, int[] idx) {
        int item = itemSize();
        byte[] p = new byte[idx.length * item];
        for (int b = 0; b < idx.length; b++)
            System.arraycopy(pixels, idx[b] * item, p, b * item, item);
        return new Dataset(newName, p, labels(idx), itemShape);
    }
}
