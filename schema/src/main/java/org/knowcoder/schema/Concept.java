package org.knowcoder.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One concept of the schema: a Python class in KnowCoder's code-style schema.
 *
 * @param kind         entity, relation or event
 * @param name         the class name, unique within its kind
 * @param parent       the superclass of the same kind; null for the kind's base class
 * @param description  the docstring's {@code Description:} (empty when there is none)
 * @param examples     entity mentions, or event trigger words
 * @param pairExamples relation examples as (head, tail) mentions
 * @param headTypes    entity types a relation's head may have (none: any entity)
 * @param tailTypes    entity types a relation's tail may have (none: any entity)
 * @param roles        an event's argument roles, in constructor order
 * @param edSignature  which constructor an event has in the ED evaluation form
 * @param rules        class methods: post-processing applied to the concept's spans
 * @param ids          source identifiers, such as a Wikidata QID or property id
 * @param instances    how many instances the source has of the concept (0 when unknown)
 */
public record Concept(Kind kind, String name, String parent, String description, List<String> examples,
                      List<ExamplePair> pairExamples, List<String> headTypes, List<String> tailTypes, List<Role> roles,
                      EdSignature edSignature, List<PostRule> rules, List<String> ids, long instances) {

    public Concept {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        if (kind.baseClass().equals(parent)) parent = null;
        description = description == null ? "" : description;
        examples = List.copyOf(examples);
        pairExamples = List.copyOf(pairExamples);
        headTypes = typeList(headTypes);
        tailTypes = typeList(tailTypes);
        roles = List.copyOf(roles);
        edSignature = edSignature == null ? EdSignature.KEYWORD : edSignature;
        rules = List.copyOf(rules);
        ids = List.copyOf(ids);
    }

    /** A type constraint as stored: {@code Entity} alone means no constraint and is kept as the empty list. */
    static List<String> typeList(List<String> types) {
        return types.size() == 1 && types.getFirst().equals(Kind.ENTITY.baseClass()) ? List.of() : List.copyOf(types);
    }

    /** The superclass as written in Python: the parent, or the base class. */
    public String pythonParent() {
        return parent == null ? kind.baseClass() : parent;
    }

    /** "entity Human": how messages name a concept. */
    public String label() {
        return kind.jsonName() + " " + name;
    }

    public static Builder builder(Kind kind, String name) {
        return new Builder(kind, name);
    }

    public Builder toBuilder() {
        return new Builder(kind, name).parent(parent).description(description).examples(examples)
                .pairExamples(pairExamples).headTypes(headTypes).tailTypes(tailTypes).roles(roles)
                .edSignature(edSignature).rules(rules).ids(ids).instances(instances);
    }

    /** Builds a concept field by field; lists are copied. */
    public static final class Builder {
        private final Kind kind;
        private final String name;
        private String parent;
        private String description = "";
        private List<String> examples = List.of();
        private List<ExamplePair> pairExamples = List.of();
        private List<String> headTypes = List.of();
        private List<String> tailTypes = List.of();
        private List<Role> roles = List.of();
        private EdSignature edSignature = EdSignature.KEYWORD;
        private List<PostRule> rules = List.of();
        private List<String> ids = List.of();
        private long instances;

        private Builder(Kind kind, String name) {
            this.kind = kind;
            this.name = name;
        }

        public Builder parent(String parent) {
            this.parent = parent;
            return this;
        }

        public Builder description(String description) {
            this.description = description;
            return this;
        }

        public Builder examples(List<String> examples) {
            this.examples = examples;
            return this;
        }

        public Builder pairExamples(List<ExamplePair> pairExamples) {
            this.pairExamples = pairExamples;
            return this;
        }

        public Builder headTypes(List<String> headTypes) {
            this.headTypes = headTypes;
            return this;
        }

        public Builder tailTypes(List<String> tailTypes) {
            this.tailTypes = tailTypes;
            return this;
        }

        public Builder roles(List<Role> roles) {
            this.roles = roles;
            return this;
        }

        public Builder edSignature(EdSignature edSignature) {
            this.edSignature = edSignature;
            return this;
        }

        public Builder rules(List<PostRule> rules) {
            this.rules = rules;
            return this;
        }

        public Builder addRule(PostRule rule) {
            List<PostRule> more = new ArrayList<>(rules);
            more.add(rule);
            this.rules = more;
            return this;
        }

        public Builder ids(List<String> ids) {
            this.ids = ids;
            return this;
        }

        public Builder instances(long instances) {
            this.instances = instances;
            return this;
        }

        public Concept build() {
            return new Concept(kind, name, parent, description, examples, pairExamples, headTypes, tailTypes, roles,
                    edSignature, rules, ids, instances);
        }
    }
}
