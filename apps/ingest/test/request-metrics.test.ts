import { describe, expect, it } from 'vitest';
import { requestMetricLabels } from '../src/http/request-metrics.js';

describe('requestMetricLabels', () => {
  it('uses the semantic-convention names and the route template', () => {
    expect(requestMetricLabels('GET', '/v1/messages/:id', 200)).toEqual({
      'http.request.method': 'GET',
      'http.route': '/v1/messages/:id',
      'http.response.status_code': 200,
    });
  });

  it('leaves the route out when none matched, and folds unknown methods into _OTHER', () => {
    expect(requestMetricLabels('PROPFIND', undefined, 404)).toEqual({
      'http.request.method': '_OTHER',
      'http.response.status_code': 404,
    });
  });
});
