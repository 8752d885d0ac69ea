import {
  columnDrift,
  dataDrift,
  driftTest,
  embeddingDrift,
  inferColumnTypes,
  parseCsv,
  StatTestError,
  TableError,
  TEST_NAMES,
  type Rows,
} from '../../../lib/drift';

/** Names that are properties of every plain object: a lookup on `{}` finds them without being told. */
const OBJECT_NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

const csvOf = (header: string[], rows: string[][]) =>
  [header.join(','), ...rows.map((row) => row.join(','))].join('\n') + '\n';
const numbers = (...values: number[]) => ({ storage: 'float' as const, values: Float64Array.from(values) });
const labels = (...values: Array<string | null>) => ({ storage: 'string' as const, values });

describe('names taken from data and options', () => {
  describe('CSV input', () => {
    it('reads values that are names of object properties as strings, whatever their case', () => {
      const names = [...OBJECT_NAMES, 'CONSTRUCTOR', 'Constructor'];
      const table = parseCsv(csvOf(names, [names, names, names]));
      for (const name of names) {
        expect({ name, storage: table.data.get(name)!.storage, values: table.data.get(name)!.values }).toEqual({
          name,
          storage: 'string',
          values: [name, name, name],
        });
      }
    });

    it('still reads infinities and booleans in every spelling pandas accepts', () => {
      const table = parseCsv('x,b\ninf,True\n-Infinity,false\n1,TRUE\n');
      expect(table.data.get('x')).toEqual({ storage: 'float', values: Float64Array.of(Infinity, -Infinity, 1) });
      expect(table.data.get('b')).toEqual({ storage: 'bool', values: ['True', 'False', 'True'] });
    });

    it('takes headers that are names of object properties as columns like any other', () => {
      const table = parseCsv(
        csvOf(OBJECT_NAMES, [
          ['1', '2', '3', '4', '5'],
          ['6', '7', '8', '9', '10'],
        ]),
      );
      expect(table.columns).toEqual(OBJECT_NAMES);
      expect(OBJECT_NAMES.map((name) => table.data.get(name)!.storage)).toEqual(['int', 'int', 'int', 'int', 'int']);
      expect(() => parseCsv('constructor,a,constructor\n1,2,3\n', 'ref.csv')).toThrow(
        new TableError('ref.csv names the column "constructor" twice'),
      );
    });

    it('checks a wide header for duplicates in linear time', () => {
      const header = Array.from({ length: 60_000 }, (_, i) => `c${i}`);
      const text = `${header.join(',')}\n${header.map(() => '1').join(',')}\n`;
      const started = performance.now();
      expect(parseCsv(text).columns).toHaveLength(60_000);
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(() => parseCsv(`${header.join(',')},c59999\n${header.map(() => '1').join(',')},1\n`)).toThrow(
        /names the column "c59999" twice/,
      );
    });
  });

  describe('column types and tests', () => {
    const values = (count: number, make: (i: number) => string | number) =>
      Array.from({ length: count }, (_, i) => String(make(i)));
    const table = (shift: number) =>
      parseCsv(
        csvOf(
          [...OBJECT_NAMES, 'label'],
          Array.from({ length: 60 }, (_, i) => [
            ...values(OBJECT_NAMES.length, (c) => (c % 2 ? i + shift : `k${(i + c) % 3}`)),
            OBJECT_NAMES[i % 4]!,
          ]),
        ),
      );

    it('infers the type of columns named like object properties when no type is given', () => {
      const types = inferColumnTypes(table(0), OBJECT_NAMES);
      expect([...types.values()]).toEqual(['categorical', 'numerical', 'categorical', 'numerical', 'categorical']);
    });

    it('tests such columns, and category values named like object properties, with Evidently’s choice', () => {
      const result = dataDrift(
        table(0),
        table(100),
        { target: 'label', types: {} },
        { perColumnTest: {}, perColumnThreshold: {} },
      );
      expect(result.columns.map((column) => [column.column, column.type, column.test])).toEqual([
        ['label', 'categorical', 'chisquare'],
        ['hasOwnProperty', 'numerical', 'ks'],
        ['toString', 'numerical', 'ks'],
        ['constructor', 'categorical', 'chisquare'],
        ['__proto__', 'categorical', 'chisquare'],
        ['valueOf', 'categorical', 'chisquare'],
      ]);
      expect(result.columns.map((column) => column.threshold)).toEqual([0.05, 0.05, 0.05, 0.05, 0.05, 0.05]);
      expect(result.columns.find((column) => column.column === 'label')!.drifted).toBe(false);
    });
  });

  describe('tests asked for by name', () => {
    const unknown =
      /unknown drift test "(toString|constructor|__proto__|hasOwnProperty|nope)": use one of ks, chisquare, z, wasserstein, jensenshannon, psi, kl_div, hellinger, perc_text_content_drift, abs_text_content_drift$/;

    it('lists the valid names', () => {
      expect(TEST_NAMES).toEqual([
        'ks',
        'chisquare',
        'z',
        'wasserstein',
        'jensenshannon',
        'psi',
        'kl_div',
        'hellinger',
        'perc_text_content_drift',
        'abs_text_content_drift',
      ]);
    });

    it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'nope'])(
      'refuses "%s" for every column, by type and per column, naming the valid tests',
      (name) => {
        const text = labels('a first title', 'a second title', 'a third one');
        for (const [type, reference, current] of [
          ['numerical', numbers(1, 2, 3), numbers(1, 2, 4)],
          ['categorical', labels('a', 'b'), labels('a', 'a')],
          ['text', text, text],
        ] as const) {
          for (const overrides of [
            { test: name },
            { numericalTest: name, categoricalTest: name, textTest: name },
            { perColumnTest: { x: name } },
          ]) {
            expect(() => columnDrift('x', type, reference, current, overrides as never)).toThrow(StatTestError);
            expect(() => columnDrift('x', type, reference, current, overrides as never)).toThrow(unknown);
          }
        }
      },
    );

    it('finds a test of the registry only by its own name', () => {
      expect(driftTest('psi').name).toBe('psi');
      expect(driftTest('abs_text_content_drift')).toMatchObject({ allowedTypes: ['text'], scoreKind: 'roc_auc' });
      expect(() => driftTest('toString')).toThrow(StatTestError);
      expect(() => driftTest('constructor')).toThrow(unknown);
    });

    it('has a test registered under every valid name', () => {
      expect(TEST_NAMES.map((name) => driftTest(name).name)).toEqual(TEST_NAMES);
    });

    it('refuses an unknown component test of the embedding ratio method', () => {
      const rows: Rows = { count: 20, dims: 2, data: Float64Array.from({ length: 40 }, (_, i) => i % 7) };
      expect(() => embeddingDrift(rows, rows, { method: 'ratio', componentTest: 'toString' as never })).toThrow(
        /unknown drift test "toString": use one of ks, chisquare/,
      );
    });

    it('refuses a component test of the embedding ratio method that does not take numerical columns, as Evidently', () => {
      const rows: Rows = { count: 20, dims: 2, data: Float64Array.from({ length: 40 }, (_, i) => i % 7) };
      expect(() => embeddingDrift(rows, rows, { method: 'ratio', componentTest: 'perc_text_content_drift' })).toThrow(
        /perc_text_content_drift does not apply to embedding components, which are numerical \(it takes text columns\)/,
      );
      expect(() => embeddingDrift(rows, rows, { method: 'ratio', componentTest: 'chisquare' })).toThrow(StatTestError);
    });
  });
});
