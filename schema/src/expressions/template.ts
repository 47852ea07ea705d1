import { compileExpression, ExpressionError, type CompiledExpression, type WorkMeter } from './expression.js';
import { rememberedCheck } from './check-cache.js';
import { DEFAULT_EXPRESSION_LIMITS, type ExpressionLimits } from './limits.js';

export type TemplatePart = { text: string } | { expression: string; offset: number };

const OPEN = '{{';
const CLOSE = '}}';

/** Splits `"hello {{ input.name }}"` into literal text and expression parts. */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let index = 0;
  while (index < text.length) {
    const open = text.indexOf(OPEN, index);
    if (open === -1) {
      parts.push({ text: text.slice(index) });
      break;
    }
    if (open > index) parts.push({ text: text.slice(index, open) });
    const close = text.indexOf(CLOSE, open + OPEN.length);
    if (close === -1) throw new ExpressionError(`"{{" at character ${open} is never closed with "}}"`, 'S9002', open);
    const expression = text.slice(open + OPEN.length, close);
    if (expression.trim() === '') throw new ExpressionError(`empty "{{ }}" at character ${open}`, 'S9003', open);
    parts.push({ expression, offset: open + OPEN.length });
    index = close + CLOSE.length;
  }
  return parts;
}

export function isTemplate(text: string): boolean {
  return text.includes(OPEN);
}

export interface CompiledTemplate {
  readonly source: string;
  /** Renders over `scope`; the work its expressions do is added to `meter`. */
  render(scope: unknown, meter?: WorkMeter): Promise<string>;
}

export function compileTemplate(text: string, limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS): CompiledTemplate {
  const parts = parseTemplate(text).map((part): { text: string } | { compiled: CompiledExpression } => {
    if ('text' in part) return part;
    try {
      return { compiled: compileExpression(part.expression, limits) };
    } catch (error) {
      const inner = error as ExpressionError;
      const position = inner.position === undefined ? part.offset : part.offset + inner.position;
      throw new ExpressionError(`in {{ ${part.expression.trim()} }}: ${inner.message}`, inner.code, position);
    }
  });
  return {
    source: text,
    async render(scope: unknown, meter?: WorkMeter): Promise<string> {
      let out = '';
      for (const part of parts) {
        if ('text' in part) {
          out += part.text;
          continue;
        }
        const value = await part.compiled.evaluate(scope, meter);
        out += value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
        if (out.length > limits.maxResultChars) {
          throw new ExpressionError(`template result is longer than ${limits.maxResultChars} characters`, 'D9004');
        }
      }
      return out;
    },
  };
}

export function checkTemplate(text: string, limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS): ExpressionError | null {
  if (limits === DEFAULT_EXPRESSION_LIMITS && typeof text === 'string') return rememberedCheck(`t:${text}`, () => checkTemplate(text, { ...limits }));
  try {
    compileTemplate(text, limits);
    return null;
  } catch (error) {
    return error instanceof ExpressionError ? error : new ExpressionError(String(error), 'E0000');
  }
}
