/**
 * Swagger 2.0 structure (certification policy 5000.2.6.2) with @apidevtools/swagger-parser: a deep copy is
 * validated (the parser dereferences in place) with a large dereference depth, because navigation-rich OData schemas
 * exceed the default 500 of the ref-parser versions that enforce one (reference §5.4; the installed 14.0.1 has no
 * limit and ignores the option, hence the cast), and without resolving external files or URLs.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { type IssueList, isObject } from './report';

export const STRUCTURE_MESSAGE = 'Swagger json should be properly structured and complete, and adhere to Open API 2.0';

export async function checkStructure(swagger: unknown, issues: IssueList): Promise<void> {
  if (!isObject(swagger)) {
    issues.error('swagger-structure', `${STRUCTURE_MESSAGE}: the document is not a JSON object.`, '');
    return;
  }
  if (swagger.swagger !== '2.0') {
    const found = swagger.openapi !== undefined ? `openapi '${String(swagger.openapi)}'` : `swagger '${String(swagger.swagger)}'`;
    issues.error('swagger-structure', `${STRUCTURE_MESSAGE}: only Swagger 2.0 is supported, found ${found}.`, '/swagger');
    return;
  }
  try {
    await SwaggerParser.validate(structuredClone(swagger) as any, {
      resolve: { external: false },
      dereference: { maxDepth: 100000 },
    } as SwaggerParser.Options);
  } catch (err) {
    const text = String(err?.message ?? err).trim();
    issues.error('swagger-structure', `${STRUCTURE_MESSAGE}: ${text}`, '');
  }
}
