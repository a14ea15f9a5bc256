package arm.method;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The published hyperparameters (the authors' commands.txt = paper Table 4; ARM-SPEC §2.4, §3)
 * per method and dataset, as option maps. Option names follow the paper's symbols:
 *
 * <pre>
 * lr            η0, SGD learning rate                    --lr
 * M, S          recalled batch size, refinement steps    --M, --refine_sample_steps
 * eta1          η1, input step size                      --refine_sample_lr
 * R             recalls per t                            --refine_theta_steps
 * from_scratch  re-initialise X̂ every round r          --refine_sample_from_scratch
 * init          real | noise (U[0,1))                    --aux_x_random
 * divergence    reversed_kl (code) | js (paper) | ce     --use_crossent_as_D
 * w_D           divergence weight (ADI: adaptive_weight) --divergence_loss_weight
 * lambda0       weight of the recalled part of step B    --aux_weight
 * lambda0_real  weight of the real part of step B        --aux_distill_weight
 * aux_distill   real part of step B on/off               --aux_distill
 * lambda1..6    not-local old/new, diversity, sharpen, L2, TV (0 = term off)
 * w_bs          ADI batch-statistics weight (BatchNorm models only)
 * classes_weight  ADI: weight of CE toward the chosen past classes
 * hard_targets  argmax targets for recalled images       --hard_targets
 * dedup         ARM: off | on; on keeps a recalled batch with repeated draws as its distinct
 *               images with multiplicities, every batch reduction counted (exact up to rounding)
 * lag           fixed (T) | unit (every t) | random ([lag_min, lag_max])
 * T, recall_from_t, eval_every   integers or "task" (= batches per task)
 * mem           ER: buffer size in images (total, not per class)
 * M             ER: replayed batch size                  --buffer_batch_size
 * iters         ER: updates per batch                    --disc_iters
 * reservoir     ER: exact (algorithm R) | mir (the MIR code's per-batch draw)
 * subsample     ER-MIR: candidates scored per update     --subsample
 * old_logits    ER-MIR: off | position (MIR code) | slot --compare_to_old_logits
 * model         auto | mlp | resnet18                    --task_model_type
 * mlp_hidden    MLP width, 400 (smaller only for quick tests)
 * resnet_nf     ResNet18 base width nf, 20 (smaller only for quick tests)
 * device        cpu | cuda: where the model, batches and recalled images live
 * rng           ours | authors: our seeded streams, or the authors' generators for their run ids
 *               (PyTorch's for init and data, numpy's from seed 0 for recall draws; MNIST MLP only)
 * </pre>
 */
public final class Defaults {
  /** Dataset names known here. */
  public static final String MNIST = "mnist", CIFAR10 = "cifar10", MINIIMAGENET = "miniimagenet";

  private Defaults() {}

  /** The defaults of {@code method} (canonical name) on {@code dataset}. */
  public static Map<String, String> of(String method, String dataset) {
    String d = dataset.toLowerCase();
    if (!d.equals(MNIST) && !d.equals(CIFAR10) && !d.equals(MINIIMAGENET))
      throw new IllegalArgumentException("unknown dataset '" + dataset + "'; known: mnist, cifar10, miniimagenet");
    boolean mnist = d.equals(MNIST), mini = d.equals(MINIIMAGENET);
    Map<String, String> o = new LinkedHashMap<>();
    switch (method) {
      case "Naive", "Stationary" -> o.put("lr", mnist ? "0.05" : "0.1"); // ARM-SPEC §9 D8
      case "Distill" -> {
        o.put("lr", mnist ? "0.05" : "0.01");
        o.put("lambda0_real", mini ? "2.0" : "1.0");
        lag(o);
      }
      case "ADI" -> {
        recall(o, mnist, mini);
        o.put("classes_weight", "1.0");
        o.put("w_D", "1.0");
        o.put("lambda4", "0");
        o.put("lambda5", "1.0");
        o.put("lambda6", "1.0");
        o.put("w_bs", mnist ? "0" : "0.1");
        o.put("lambda0", "1.0");
        o.put("aux_distill", "true");
        o.put("lambda0_real", mnist ? "0.5" : mini ? "2.0" : "1.0");
        tail(o);
      }
      case "ARM" -> {
        recall(o, mnist, mini);
        o.put("w_D", "1.0");
        o.put("lambda1", "1.0");
        o.put("lambda2", "0.1");
        o.put("lambda3", mini ? "1.0" : "16.0");
        o.put("lambda4", mini ? "1.0" : "0.1");
        o.put("lambda5", "1.0");
        o.put("lambda6", "1.0");
        o.put("w_bs", "0");
        o.put("lambda0", "1.0");
        o.put("aux_distill", "true");
        o.put("lambda0_real", mini ? "2.0" : "1.0");
        o.put("dedup", "off");
        tail(o);
      }
      case "ER", "ER-MIR" -> buffer(o, method.equals("ER-MIR"), mnist, mini, paperBuffers(d)[0]);
      default -> throw new IllegalArgumentException("no defaults for method " + method);
    }
    o.put("eval_every", Options.TASK);
    o.put("model", "auto");
    o.put("mlp_hidden", "400");
    o.put("resnet_nf", "20");
    o.put("device", "cpu");
    o.put("rng", "ours");
    return o;
  }

  /**
   * The first run id of {@code method} (canonical name) in the authors' commands.txt on {@code
   * dataset}; its runs are ids first … first+4, each id the run's torch seed. Null for methods that
   * are not in the ARM authors' code (ER, ER-MIR) and for datasets whose streams are not replayed
   * here (rng = authors is MNIST's only).
   */
  public static Long authorsFirstRunId(String method, String dataset) {
    if (!dataset.equalsIgnoreCase(MNIST)) return null;
    return switch (method) {
      case "Naive" -> 4967L;
      case "Stationary" -> 4947L;
      case "Distill" -> 6102L;
      case "ADI" -> 6232L;
      case "ARM" -> 6579L;
      default -> null;
    };
  }

  /**
   * The buffer sizes (total images) of the paper's ER / ER-MIR rows on {@code dataset}, larger
   * first: MNIST 50, 25 (Table 6); CIFAR10 200, 100 (Table 1); MiniImageNet 500, 100 (Table 5).
   */
  public static int[] paperBuffers(String dataset) {
    return switch (dataset.toLowerCase()) {
      case MNIST -> new int[] {50, 25};
      case CIFAR10 -> new int[] {200, 100};
      case MINIIMAGENET -> new int[] {500, 100};
      default -> throw new IllegalArgumentException(
          "unknown dataset '" + dataset + "'; known: mnist, cifar10, miniimagenet");
    };
  }

  /** ER and ER-MIR (ER-MIR-SPEC §6; the choices are explained in ER, ErMir and docs/REPRODUCE.md). */
  private static void buffer(Map<String, String> o, boolean mir, boolean mnist, boolean mini, int mem) {
    o.put("lr", mnist ? "0.05" : "0.1"); // G1: MNIST 0.05 as in the MIR script of the time
    o.put("mem", Integer.toString(mem));
    o.put("M", "10");
    o.put("iters", "1");
    o.put("reservoir", "exact");
    if (mir) {
      o.put("subsample", mini ? "25" : "50");
      o.put("old_logits", mnist ? "position" : "off");
    }
  }

  private static void recall(Map<String, String> o, boolean mnist, boolean mini) {
    o.put("lr", mnist ? "0.05" : "0.01");
    o.put("M", mnist ? "10" : "100");
    o.put("S", "10");
    o.put("eta1", mnist ? "25.0" : "10.0");
    o.put("R", "1");
    o.put("from_scratch", "false");
    o.put("init", "real");
    o.put("divergence", "reversed_kl");
  }

  private static void tail(Map<String, String> o) {
    o.put("hard_targets", "false");
    lag(o);
  }

  private static void lag(Map<String, String> o) {
    o.put("lag", "fixed");
    o.put("T", Options.TASK);
    o.put("lag_min", "1");
    o.put("lag_max", "1");
    o.put("recall_from_t", Options.TASK);
  }
}
