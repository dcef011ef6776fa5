package org.knowcoder.ie.trainingdata;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.knowcoder.io.BadInputException;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The texts of {@code build-data understanding}, for it ({@link UnderstandingBuilder}) and for a
 * builder that spreads the corpus lines itself (module spark): the library's definition code
 * ({@link #definitions}), then each corpus line's instance code ({@link #of}), in input order, are
 * what the command writes, byte for byte. A line's texts depend on the line alone (no randomness).
 * Thread-safe.
 */
public final class UnderstandingLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One text: its task (definition, entity, relation, event), the text, its
     * {@code understanding.jsonl} line ({@code {"text"}}), its ids (BOS, text, EOS; null without a
     * tokenizer), the classes it defines or instantiates and how many (classes or instances).
     */
    public record Text(String task, String text, String json, int[] ids, List<String> types, int instances) {
        /** UTF-8 bytes of the text. */
        long bytes() {
            return text.getBytes(StandardCharsets.UTF_8).length;
        }
    }

    private final SchemaLibrary library;
    private final InstanceForm form;
    private final Tokens tokens;
    private final KelmReader reader;

    /** {@code tokenizer} null: no ids, and definition code is packed by estimated token counts. */
    public UnderstandingLines(SchemaLibrary library, InstanceForm form, Tokenizer tokenizer) {
        this.library = library;
        this.form = form;
        this.tokens = new Tokens(tokenizer);
        this.reader = new KelmReader(new ClassResolver(library));
    }

    /** Every class of the library once, in the seed's order, packed into texts of at most {@code maxTokens} tokens. */
    public List<Text> definitions(int maxTokens, long seed) {
        if (maxTokens < 1) throw new BadInputException("--max-tokens must be at least 1, got " + maxTokens);
        List<Text> out = new ArrayList<>();
        DefinitionPacker.pack(library, maxTokens, tokens::count, seed,
                pack -> out.add(text("definition", pack.text(), pack.classes(), pack.classes().size())));
        return out;
    }

    /**
     * The instance code of one corpus line (KELM-style JSON, {@link KelmReader}), in the order it is
     * written. A line that cannot be read throws {@link BadInputException} saying why, as build-data
     * skips it.
     */
    public List<Text> of(String corpusLine) {
        List<Text> out = new ArrayList<>();
        for (InstanceCode.Code c : InstanceCode.of(reader.parse(corpusLine), form)) {
            out.add(text(c.kind().jsonName(), c.text(), List.of(c.concept()), c.instances()));
        }
        return out;
    }

    private Text text(String task, String text, List<String> types, int instances) {
        return new Text(task, text, JSON.createObjectNode().put("text", text).toString(), tokens.text(text), types, instances);
    }
}
