package arm.kernels.cuda;

import java.util.List;
import java.util.Map;

/** The extern "C" kernels of each .cu file (module), as declared in kernels/src/main/cuda. */
final class KernelNames {
    private KernelNames() {}

    static final Map<String, List<String>> BY_MODULE =
            Map.of(
                    "elementwise",
                            List.of(
                                    "unary_forward",
                                    "unary_backward",
                                    "binary_same",
                                    "binary_rows",
                                    "binary_bcast",
                                    "axpy"),
                    "reduce",
                            List.of(
                                    "sum_to",
                                    "max_last_axis",
                                    "max_last_axis_f",
                                    "sum_all_partial",
                                    "sum_all_final"),
                    "softmax", List.of("softmax_forward", "softmax_backward"),
                    "index",
                            List.of(
                                    "gather_last",
                                    "scatter_add_last",
                                    "gather_last_f",
                                    "scatter_add_last_f"),
                    "layout", List.of("permute", "copy_along_axis"),
                    "batchnorm",
                            List.of(
                                    "var_from_invstd",
                                    "invstd_from_var",
                                    "bn_update_running",
                                    "bn_update_running_at",
                                    "bn_counted_stats",
                                    "bn_apply",
                                    "bn_counted_backward_sums",
                                    "bn_counted_backward_dx"),
                    "pool", List.of("avg_pool_forward", "avg_pool_backward"),
                    "prior",
                            List.of(
                                    "image_prior_rows",
                                    "image_prior_final",
                                    "image_prior_backward"),
                    "logits", List.of("logit_terms_forward", "logit_terms_backward"));

    static List<String> of(String module) {
        return BY_MODULE.get(module);
    }
}
