package org.knowcoder.ie.trainingdata;

import org.knowcoder.schema.Task;

/**
 * One schema-following training sample: the query and the expected code.
 *
 * @param gold the sample's annotations for the task (empty classes for a fully negative sample)
 */
record FollowingSample(Task task, String prompt, String output, Gold gold) {}
