// Prints the stages of a declarative Jenkinsfile as JSON, read from its syntax tree:
//   java -cp .tools/groovy/groovy-4.0.33.jar groovy.ui.GroovyMain scripts/jenkinsfile-stages.groovy <Jenkinsfile>
// {"stages": [{"name", "line", "when", "parallel", "sh": [...], "stages": [...]}], "sh": [...]}
// A stage's "sh" holds the commands of the sh steps in its body (steps, post, script blocks), not
// in its nested stages; those are its "stages", run in parallel when "parallel" is true. The
// top-level "sh" holds sh steps outside any stage (pipeline post, methods the file declares).
// A GString command is given as its source text.
// Exit codes: 0 parsed, 1 the file does not compile (the compiler's message on stderr), 2 usage.

import org.codehaus.groovy.ast.CodeVisitorSupport
import org.codehaus.groovy.ast.expr.ClosureExpression
import org.codehaus.groovy.ast.expr.ConstantExpression
import org.codehaus.groovy.ast.expr.Expression
import org.codehaus.groovy.ast.expr.GStringExpression
import org.codehaus.groovy.ast.expr.MapExpression
import org.codehaus.groovy.ast.expr.MethodCallExpression
import org.codehaus.groovy.ast.expr.TupleExpression
import org.codehaus.groovy.control.CompilationFailedException
import org.codehaus.groovy.control.CompilationUnit
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.Phases

class StagesVisitor extends CodeVisitorSupport {
  final Map top = [stages: [], sh: []]
  private final List<Map> open = [top]

  @Override
  void visitMethodCallExpression(MethodCallExpression call) {
    Map current = open.last()
    switch (call.methodAsString) {
      case 'stage':
        Map stage = [name: text(positional(call, 0)), line: call.lineNumber, when: false, parallel: false, sh: [], stages: []]
        current.stages << stage
        open << stage
        super.visitMethodCallExpression(call)
        open.removeLast()
        return
      case 'sh':
        current.sh << text(named(call, 'script') ?: positional(call, 0))
        break
      case 'when':
        if (current != top) current.when = true
        break
      case 'parallel':
        if (current != top) current.parallel = true
        break
    }
    super.visitMethodCallExpression(call)
  }

  private static List<Expression> arguments(MethodCallExpression call) {
    call.arguments instanceof TupleExpression ? ((TupleExpression) call.arguments).expressions : [call.arguments]
  }

  // The n-th argument that is neither the named arguments' map nor a trailing closure.
  private static Expression positional(MethodCallExpression call, int n) {
    List<Expression> plain = arguments(call).findAll { !(it instanceof MapExpression) && !(it instanceof ClosureExpression) }
    n < plain.size() ? plain[n] : null
  }

  private static Expression named(MethodCallExpression call, String key) {
    for (Expression argument : arguments(call)) {
      if (argument instanceof MapExpression) {
        def entry = ((MapExpression) argument).mapEntryExpressions.find { it.keyExpression.text == key }
        if (entry) return entry.valueExpression
      }
    }
    null
  }

  private static String text(Expression expression) {
    if (expression == null) return null
    if (expression instanceof ConstantExpression) return String.valueOf(((ConstantExpression) expression).value)
    if (expression instanceof GStringExpression) return gstring((GStringExpression) expression)
    expression.text
  }

  // As written, `${...}` included: the compiler's own text for it drops the braces.
  private static String gstring(GStringExpression expression) {
    StringBuilder out = new StringBuilder()
    expression.strings.eachWithIndex { ConstantExpression part, int i ->
      out << part.value
      if (i < expression.values.size()) out << '${' << expression.values[i].text << '}'
    }
    out.toString()
  }
}

static String json(Object value) {
  if (value == null) return 'null'
  if (value instanceof Boolean || value instanceof Number) return value.toString()
  if (value instanceof Map) return '{' + value.collect { k, v -> json(k.toString()) + ':' + json(v) }.join(',') + '}'
  if (value instanceof List) return '[' + value.collect { json(it) }.join(',') + ']'
  StringBuilder out = new StringBuilder('"')
  for (char c : value.toString().toCharArray()) {
    switch (c) {
      case '"': out << '\\"'; break
      case '\\': out << '\\\\'; break
      case '\n': out << '\\n'; break
      case '\r': out << '\\r'; break
      case '\t': out << '\\t'; break
      // Non-ASCII escaped too, so the output does not depend on the JVM's console encoding.
      default: out << (c < (char) 0x20 || c > (char) 0x7e ? String.format('\\u%04x', (int) c) : c)
    }
  }
  out << '"'
  out.toString()
}

if (args.length != 1) {
  System.err.println('usage: jenkinsfile-stages.groovy <Jenkinsfile>')
  System.exit(2)
}
File file = new File(args[0])
if (!file.isFile()) {
  System.err.println("jenkinsfile-stages: no such file: ${args[0]}")
  System.exit(2)
}

CompilerConfiguration configuration = new CompilerConfiguration(sourceEncoding: 'UTF-8')
CompilationUnit unit = new CompilationUnit(configuration)
unit.addSource(file)
try {
  // Conversion is enough for the syntax tree; later phases resolve imports and classes (a shared
  // library's @Library, for one) that exist only inside Jenkins.
  unit.compile(Phases.CONVERSION)
} catch (CompilationFailedException failure) {
  System.err.println(failure.message)
  System.exit(1)
}

StagesVisitor visitor = new StagesVisitor()
unit.AST.modules.each { module ->
  module.statementBlock.visit(visitor)
  // Methods the script declares: their sh steps count as outside any stage.
  module.methods.each { method -> method.code?.visit(visitor) }
}
println json(visitor.top)
