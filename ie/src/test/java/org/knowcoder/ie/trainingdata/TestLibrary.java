package org.knowcoder.ie.trainingdata;

import org.knowcoder.schema.Concept;
import org.knowcoder.schema.ExamplePair;
import org.knowcoder.schema.Kind;
import org.knowcoder.schema.Role;
import org.knowcoder.schema.SchemaLibrary;
import org.knowcoder.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A small hand-made library, a synthetic one of any size, and a byte-level tokenizer for the build tests. */
final class TestLibrary {
    private TestLibrary() {}

    static SchemaLibrary small() {
        List<Concept> c = new ArrayList<>();
        c.add(Concept.builder(Kind.ENTITY, "Human").description("Common name of Homo sapiens.").examples(List.of("Ann", "Bob")).ids(List.of("Q5")).build());
        c.add(Concept.builder(Kind.ENTITY, "City").description("Large human settlement.").examples(List.of("Paris")).build());
        c.add(Concept.builder(Kind.ENTITY, "Country").build());
        c.add(Concept.builder(Kind.ENTITY, "Organization").build());
        c.add(Concept.builder(Kind.RELATION, "PlaceOfBirth").description("Most specific known birth location of a person.")
                .pairExamples(List.of(new ExamplePair("Ann", "Paris"))).ids(List.of("P19")).build());
        c.add(Concept.builder(Kind.RELATION, "Spouse").build());
        c.add(Concept.builder(Kind.EVENT, "Spouse").roles(List.of(new Role("spouse"), new Role("place_of_marriage"))).build());
        c.add(Concept.builder(Kind.EVENT, "Marriage").examples(List.of("married", "wife"))
                .roles(List.of(new Role("spouse"), new Role("location"))).build());
        return SchemaLibrary.of(c);
    }

    /** {@code n} entity classes E0..En-1 plus 50 relations R0.. and 50 events V0.. with two roles. */
    static SchemaLibrary synthetic(int n) {
        List<Concept> c = new ArrayList<>(n + 100);
        for (int i = 0; i < n; i++) {
            c.add(Concept.builder(Kind.ENTITY, "E" + i).description("Synthetic entity type number " + i + ".")
                    .examples(List.of("example " + i, "another " + i)).build());
        }
        for (int i = 0; i < 50; i++) {
            c.add(Concept.builder(Kind.RELATION, "R" + i).description("Synthetic relation " + i + ".").build());
            c.add(Concept.builder(Kind.EVENT, "V" + i).examples(List.of("did" + i))
                    .roles(List.of(new Role("agent"), new Role("place"))).build());
        }
        return SchemaLibrary.of(c);
    }

    /** One token per UTF-8 byte (ids 3..258), BOS 1, EOS 2: enough to check masks and packing. */
    static final Tokenizer BYTES = new Tokenizer() {
        public int vocabSize() {
            return 259;
        }

        public int bosId() {
            return 1;
        }

        public int eosId() {
            return 2;
        }

        public int[] encode(String text, boolean bos, boolean eos) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            int[] ids = new int[b.length + (bos ? 1 : 0) + (eos ? 1 : 0)];
            int k = 0;
            if (bos) ids[k++] = 1;
            for (byte x : b) ids[k++] = 3 + (x & 0xff);
            if (eos) ids[k] = 2;
            return ids;
        }

        public byte[] decode(int previous, int token) {
            return token >= 3 ? new byte[] {(byte) (token - 3)} : new byte[0];
        }

        public String piece(int id) {
            return String.valueOf(id);
        }
    };
}
