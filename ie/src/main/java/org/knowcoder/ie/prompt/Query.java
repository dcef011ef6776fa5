package org.knowcoder.ie.prompt;

import org.knowcoder.schema.Task;

import java.util.List;

/**
 * The query part of a KnowCoder input for one dataset, laid out as the released evaluation's
 * templates lay it out: {@code from Entities import ...} (RE), the base classes and the class
 * definitions, the instruction in triple quotes, the few-shot examples (each a sentence and its
 * {@code results}), then the sentence, written raw between its quotes. Everything before the
 * sentence is the same for every sentence of the dataset, which is what lets extraction reuse its
 * KV cache.
 *
 * @param dataset the dataset name for refined models ("... from CoNLL03."), or null
 * @param examples few-shot examples: sentence and answer code, in order (empty for zero-shot)
 */
public record Query(DatasetSchema schema, String dataset, List<Example> examples) {
    /** A few-shot example: a sentence and the {@code results = [...]} code answering it. */
    public record Example(String sentence, String results) {}

    public Query {
        examples = List.copyOf(examples);
    }

    /** The full model input for {@code sentence}. */
    public String prompt(String sentence) {
        return prompt(sentence, List.of());
    }

    /**
     * The full model input for {@code sentence} whose event triggers are already known (EAE after
     * ED): the instruction confirms them in the form of KnowCoder's training data, which states them.
     */
    public String prompt(String sentence, List<Instruction.Trigger> triggers) {
        return KnowCoderPrompt.wrap(query(sentence, triggers));
    }

    /** The query alone, before {@link KnowCoderPrompt#wrap}: what training data records as a sample's prompt. */
    public String query(String sentence, List<Instruction.Trigger> triggers) {
        Instruction.Form form = triggers.isEmpty() ? Instruction.Form.EVALUATION : Instruction.Form.TRAINING;
        StringBuilder sb = new StringBuilder();
        if (schema.task() == Task.RE && !schema.entityImports().isEmpty()) {
            sb.append(PyCode.imports("Entities", schema.entityImports())).append('\n'); // no blank line: the released template's
        }
        sb.append(schema.classCode()).append("\n\n\"\"\"\n")
                .append(Instruction.text(schema.task(), form, dataset, triggers))
                .append("\n\"\"\"\n");
        for (Example e : examples) sb.append(PyCode.sentence(e.sentence())).append('\n').append(e.results()).append("\n\n");
        return sb.append(PyCode.sentence(sentence)).toString();
    }
}
