package dev.qstream.schemas.serde;

import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/** Random but valid generic records for any schema (raw Avro types, logical types respected). */
final class SampleRecords {

    private SampleRecords() {
    }

    static Object generate(Schema schema, Random random) {
        switch (schema.getType()) {
            case RECORD: {
                GenericData.Record r = new GenericData.Record(schema);
                for (Schema.Field f : schema.getFields()) {
                    r.put(f.pos(), generate(f.schema(), random));
                }
                return r;
            }
            case ENUM: {
                List<String> symbols = schema.getEnumSymbols();
                return new GenericData.EnumSymbol(schema, symbols.get(1 + random.nextInt(symbols.size() - 1)));
            }
            case ARRAY: {
                List<Object> items = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    items.add(generate(schema.getElementType(), random));
                }
                return new GenericData.Array<>(schema, items);
            }
            case MAP: {
                Map<String, Object> map = new HashMap<>();
                for (int i = random.nextInt(3); i > 0; i--) {
                    map.put("k" + random.nextInt(100), generate(schema.getValueType(), random));
                }
                return map;
            }
            case UNION: {
                List<Schema> types = schema.getTypes();
                Schema pick = types.get(random.nextInt(types.size()));
                return generate(pick, random);
            }
            case STRING:
                return schema.getLogicalType() instanceof LogicalTypes.Uuid ? new UUID(random.nextLong(), random.nextLong()).toString()
                        : "s" + random.nextInt(1000);
            case BYTES:
                byte[] bytes = new byte[random.nextInt(8)];
                random.nextBytes(bytes);
                return ByteBuffer.wrap(bytes);
            case INT:
                return random.nextInt(1000);
            case LONG:
                return schema.getLogicalType() != null ? 1_700_000_000_000L + random.nextInt(1_000_000) : (long) random.nextInt(1_000_000);
            case FLOAT:
                return random.nextFloat();
            case DOUBLE:
                return random.nextDouble();
            case BOOLEAN:
                return random.nextBoolean();
            case NULL:
                return null;
            default:
                throw new IllegalArgumentException("no sample for " + schema.getType());
        }
    }
}
