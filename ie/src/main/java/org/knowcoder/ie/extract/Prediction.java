package org.knowcoder.ie.extract;

import org.knowcoder.schema.Task;

/** One line of a predictions file: which sentence of which dataset and task, and the code the model wrote. */
public record Prediction(String dataset, Task task, String id, String output) {
    /** The key a resumed run skips on. */
    public String key() {
        return key(dataset, task, id);
    }

    static String key(String dataset, Task task, String id) {
        return dataset + "\t" + task + "\t" + id;
    }
}
