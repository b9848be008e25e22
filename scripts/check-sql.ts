// Checks every statement made with core/db/database.ts's stmt<Row>(db, sql) against
// core/db/schema.sql, statically, as part of `npm run lint`:
//   - the SQL prepares on the schema (a typo in a column or table name fails here, not in production);
//   - every property of Row is a column the statement returns;
//   - a column that comes straight from a table has a type in Row that its declared type can
//     hold (INTEGER/REAL -> number, TEXT -> string, BLOB -> Buffer), and Row allows null when
//     the table column is nullable (unless the SQL says `column IS NOT NULL`);
//   - no status code is written as a bare number in SQL (BuildStatus names them).
// SQL built from template literals is resolved through the type checker: constants and
// literal types are substituted, anything else (a WHERE clause assembled at run time, a list
// of placeholders) by `1`, which keeps the statement preparable. Usage:
//   node --import tsx scripts/check-sql.ts
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { PACKAGE_ROOT } from '../core/paths.ts';

interface TableColumn {
  type: string;
  nullable: boolean;
}

function schemaColumns(db: Database.Database): Map<string, Map<string, TableColumn>> {
  const tables = new Map<string, Map<string, TableColumn>>();
  const names = db.prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table'").all();
  for (const { name } of names) {
    const info = db
      .prepare<[], { name: string; type: string; notnull: number; pk: number }>(`PRAGMA table_info("${name}")`)
      .all();
    tables.set(
      name,
      new Map(info.map((c) => [c.name, { type: c.type.toUpperCase(), nullable: c.notnull === 0 && c.pk === 0 }])),
    );
  }
  return tables;
}

function program(): ts.Program {
  const configPath = join(PACKAGE_ROOT, 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
  );
  if (!config) throw new Error('cannot read tsconfig.json');
  return ts.createProgram(config.fileNames, config.options);
}

/** The SQL text an expression evaluates to, as far as the type checker knows it. */
function sqlText(checker: ts.TypeChecker, node: ts.Expression, depth = 0): string | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (depth > 5) return null;
  if (ts.isTemplateExpression(node)) {
    let text = node.head.text;
    for (const span of node.templateSpans)
      text += (sqlText(checker, span.expression, depth + 1) ?? '1') + span.literal.text;
    return text;
  }
  if (ts.isParenthesizedExpression(node)) return sqlText(checker, node.expression, depth + 1);
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = sqlText(checker, node.left, depth + 1);
    const right = sqlText(checker, node.right, depth + 1);
    return left !== null && right !== null ? left + right : null;
  }
  const type = checker.getTypeAtLocation(node);
  const literal = type.isUnion() ? type.types[0] : type;
  if (literal?.isStringLiteral()) return literal.value;
  if (literal?.isNumberLiteral()) return String(literal.value);
  if (ts.isIdentifier(node)) {
    const declaration = checker.getSymbolAtLocation(node)?.valueDeclaration;
    if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) {
      return sqlText(checker, declaration.initializer, depth + 1);
    }
  }
  return null;
}

/** The SQL's literal parts only, where a bare status code would be written by hand. */
function literalParts(node: ts.Expression): string {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node))
    return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ? ');
  return '';
}

const BARE_STATUS = /\b(?:buildstatus|status)\s*(?:=|!=|<>|(?:NOT\s+)?IN\s*\()\s*\d/i;

function accepts(checker: ts.TypeChecker, type: ts.Type, sqlType: string): boolean {
  const nonNull = checker.getNonNullableType(type);
  const parts = nonNull.isUnion() ? nonNull.types : [nonNull];
  const is = (flags: ts.TypeFlags) => parts.every((t) => (t.flags & flags) !== 0);
  if (/INT|REAL|FLOA|DOUB|NUM/.test(sqlType)) return is(ts.TypeFlags.NumberLike);
  if (/CHAR|CLOB|TEXT/.test(sqlType)) return is(ts.TypeFlags.StringLike);
  if (/BLOB/.test(sqlType)) return checker.typeToString(nonNull).includes('Buffer');
  return true;
}

function allowsNull(type: ts.Type): boolean {
  const parts = type.isUnion() ? type.types : [type];
  return parts.some((t) => (t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0);
}

/** The problems of every stmt(db, sql) call in the program's own files, checked against the schema. */
export function checkStatements(prog: ts.Program, schemaSql: string): { checked: number; problems: string[] } {
  const db = new Database(':memory:');
  db.exec(schemaSql);
  const tables = schemaColumns(db);
  const checker = prog.getTypeChecker();
  const problems: string[] = [];
  let checked = 0;

  const visit = (file: ts.SourceFile, node: ts.Node) => {
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'stmt' &&
      node.arguments.length === 2
    ) {
      const { line } = file.getLineAndCharacterOfPosition(node.getStart());
      const where = `${relative(PACKAGE_ROOT, file.fileName)}:${line + 1}`;
      const sqlNode = node.arguments[1]!;
      const sql = sqlText(checker, sqlNode);
      checked++;
      if (BARE_STATUS.test(literalParts(sqlNode)))
        problems.push(`${where}: a status code written as a bare number; use BuildStatus`);
      if (sql === null) {
        problems.push(`${where}: cannot work out this statement's SQL; build it from literals and constants`);
      } else {
        checkStatement(where, sql, node.typeArguments?.[0]);
      }
    }
    ts.forEachChild(node, (child) => visit(file, child));
  };

  const checkStatement = (where: string, sql: string, rowNode: ts.TypeNode | undefined) => {
    let statement: Database.Statement;
    try {
      statement = db.prepare(sql);
    } catch (err) {
      problems.push(`${where}: the SQL does not prepare on schema.sql: ${(err as Error).message}`);
      return;
    }
    if (!rowNode) return;
    if (!statement.reader) {
      problems.push(`${where}: stmt<Row> on a statement that returns no rows`);
      return;
    }
    const columns = new Map(statement.columns().map((c) => [c.name, c]));
    for (const property of checker.getPropertiesOfType(checker.getTypeFromTypeNode(rowNode))) {
      const column = columns.get(property.name);
      if (!column) {
        const returned = [...columns.keys()].join(', ');
        problems.push(
          `${where}: Row has "${property.name}", which the statement does not return (it returns ${returned})`,
        );
        continue;
      }
      const declared = column.table && column.column ? tables.get(column.table)?.get(column.column) : undefined;
      if (!declared) continue;
      const type = checker.getTypeOfSymbol(property);
      if (!accepts(checker, type, declared.type)) {
        const said = checker.typeToString(type);
        problems.push(
          `${where}: "${property.name}" is ${column.table}.${column.column} ${declared.type}, but Row says ${said}`,
        );
      }
      const filtered = new RegExp(`\\b${column.column}\\s+IS\\s+NOT\\s+NULL`, 'i').test(sql);
      if (declared.nullable && !filtered && !allowsNull(type)) {
        const said = checker.typeToString(type);
        problems.push(
          `${where}: "${property.name}" is ${column.table}.${column.column}, which may be NULL, but Row says ${said}`,
        );
      }
    }
  };

  for (const file of prog.getSourceFiles()) {
    if (file.isDeclarationFile || file.fileName.includes('/node_modules/')) continue;
    visit(file, file);
  }
  db.close();
  return { checked, problems };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { checked, problems } = checkStatements(
    program(),
    readFileSync(join(PACKAGE_ROOT, 'core/db/schema.sql'), 'utf8'),
  );
  if (checked === 0) problems.push('no stmt(db, sql) calls found: is the checker looking at the right program?');
  console.log(`check-sql: ${checked} statements checked against core/db/schema.sql`);
  for (const p of problems) console.error(p);
  if (problems.length > 0) {
    console.error(`check-sql: ${problems.length} problem(s)`);
    process.exit(1);
  }
}
