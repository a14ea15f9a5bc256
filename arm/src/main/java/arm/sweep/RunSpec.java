package arm.sweep;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One run of an experiment: a method (table row name, e.g. ER-50) with option overrides on one
 * seed. Its {@link #id} names its folder under the output root and is stable: it depends on the
 * settings that decide the run's numbers only, so the same run of an edited file keeps its folder.
 *
 * @param row the table row it belongs to: the method, then the variant and grid values
 * @param overrides the method options the file sets (sorted by key); the rest are the published
 *     defaults
 * @param index r, the run's position among its row's runs (the gradient study runs in r = 0)
 * @param seed seed0 + r, or the run id for rng = authors
 * @param paper the paper's accuracy, std, forgetting, std for the row if the file gives them, else
 *     null
 */
public record RunSpec(
        String id,
        String row,
        String method,
        Map<String, String> overrides,
        int index,
        long seed,
        String rng,
        String benchmark,
        Integer samplesPerClass,
        String stream,
        String valSplit,
        String device,
        int gradientSamples,
        boolean figures,
        int checkpointEvery,
        double[] paper) {

    /**
     * The id: readable (method, overrides, seed) and a hash of every setting that decides the
     * numbers.
     */
    static String id(
            String method,
            Map<String, String> overrides,
            long seed,
            String rng,
            String benchmark,
            Integer samplesPerClass,
            String stream,
            String valSplit,
            String device) {
        Map<String, String> key = new TreeMap<>(overrides);
        StringBuilder canon =
                new StringBuilder(
                        "benchmark="
                                + benchmark
                                + ";method="
                                + method
                                + ";seed="
                                + seed
                                + ";rng="
                                + rng);
        for (var e : key.entrySet())
            canon.append(";o.").append(e.getKey()).append('=').append(e.getValue());
        if (samplesPerClass != null) canon.append(";samplesPerClass=").append(samplesPerClass);
        if (stream != null) canon.append(";stream=").append(stream);
        if (valSplit != null) canon.append(";valSplit=").append(valSplit);
        if (device != null) canon.append(";device=").append(device);
        StringBuilder readable = new StringBuilder(method);
        for (var e : key.entrySet())
            readable.append('_').append(e.getKey()).append('=').append(e.getValue());
        readable.append("_s").append(seed);
        String safe = readable.toString().replaceAll("[^A-Za-z0-9._=-]", "-");
        if (safe.length() > 80) safe = safe.substring(0, 80);
        return safe + "-" + hash(canon.toString());
    }

    private static String hash(String s) {
        try {
            byte[] d =
                    MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The {@code arm train} arguments that run exactly this run into {@code dir} (one run, its seed
     * as seed0, every override as -o KEY=VALUE).
     *
     * @param data the dataset folder, or null for the default
     */
    public List<String> trainArgs(Path dir, String data) {
        List<String> a =
                new ArrayList<>(
                        List.of(
                                "train",
                                "--method",
                                method,
                                "--dataset",
                                benchmark,
                                "--runs",
                                "1",
                                "--seed0",
                                Long.toString(seed),
                                "--rng",
                                rng,
                                "--threads",
                                "1",
                                "--out",
                                dir.toString(),
                                "--gradient-samples",
                                Integer.toString(index == 0 ? gradientSamples : 0)));
        for (var e : overrides.entrySet()) a.addAll(List.of("-o", e.getKey() + "=" + e.getValue()));
        if (samplesPerClass != null)
            a.addAll(List.of("--samples-per-class", samplesPerClass.toString()));
        if (stream != null) a.addAll(List.of("--stream", stream));
        if (valSplit != null) a.addAll(List.of("--val-split", valSplit));
        if (device != null) a.addAll(List.of("--device", device));
        if (!figures) a.add("--no-figures");
        if (checkpointEvery > 0)
            a.addAll(List.of("--checkpoint-every", Integer.toString(checkpointEvery)));
        if (data != null) a.addAll(List.of("--data", data));
        return a;
    }

    /** The run's settings for sweep.json and run.json. */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("row", row);
        m.put("method", method);
        m.put("overrides", overrides);
        m.put("index", index);
        m.put("seed", seed);
        m.put("rng", rng);
        m.put("benchmark", benchmark);
        if (paper != null) m.put("paper", paper);
        return m;
    }
}
