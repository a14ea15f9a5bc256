package arm.method;

import arm.analysis.GradientStudy;
import arm.data.ContinualData;
import arm.run.GeneratedSamples;
import arm.run.RecallRecord;
import arm.run.RecallRecorder;
import arm.run.Recording;
import java.util.SplittableRandom;

/**
 * The recorders of one run ({@link Recording}): attached to the learner before the loop, read after
 * it. Recall learners (ARM, ADI) record their recall history and images, GEN and GEN-MIR their
 * generated samples ({@link GenSampler}); for the other methods every result is null.
 */
final class RunRecorders {
    /**
     * Mixed into the run seed for the gradient study's own draws, so they never touch training's.
     */
    private static final long GRADIENT_SALT = 0x6772616473L;

    private final Stepper run;
    private final ContinualData data;
    private final Recording recording;
    private final RecallMethod.RecallLearner recall;
    private final GenSampler generated;

    private RunRecorders(Stepper run, ContinualData data, Recording recording) {
        this.run = run;
        this.data = data;
        this.recording = recording;
        this.recall = run.learner() instanceof RecallMethod.RecallLearner r ? r : null;
        if (recall != null && recording.recall())
            recall.record(
                    new RecallRecorder(
                            data.train().itemShape(),
                            data.numClasses(),
                            data.batchesPerTask(),
                            data.numTasks()));
        generated =
                run.learner() instanceof Gen.GenLearner g && recording.recall()
                        ? (g.sampler = new GenSampler(data.train().itemShape(), g.base))
                        : null;
    }

    static RunRecorders attach(Stepper run, ContinualData data, Recording recording) {
        return new RunRecorders(run, data, recording);
    }

    /** The recall history and images, or null. */
    RecallRecord recall() {
        return recall == null || recall.recorder == null ? null : recall.recorder.result();
    }

    /** GEN's and GEN-MIR's samples at task ends, or null. */
    GeneratedSamples generated() {
        return generated == null ? null : generated.result();
    }

    /**
     * The gradient study on the run's final state (call once, after the last iteration), or null.
     */
    GradientStudy.Result gradients(long seed) {
        if (recall == null || recording.gradientSamples() == 0) return null;
        return GradientProbe.run(
                recall,
                data,
                run.seen(),
                recording.gradientSamples(),
                new SplittableRandom(seed ^ GRADIENT_SALT));
    }
}
