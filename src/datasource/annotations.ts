// Annotation support: an annotation is an 'insights' query whose result is shaped as regions (frames.ts
// annotationsFrame); processEvents turns that frame into events explicitly so colour and regions do not depend on
// Grafana's default field mapping.
import { of } from 'rxjs';
import type { AnnotationEvent, AnnotationQuery, AnnotationSupport, DataFrame } from '@grafana/data';
import { lazyEditor } from './lazyEditor';
import { DEFAULT_MAX_ANNOTATIONS, type PrefectQuery } from './types';

export const ANNOTATION_REF_ID = 'Insights';

const AnnotationEditor = lazyEditor(() => import('./editors/AnnotationEditor'));

export function annotationTarget(target: Partial<PrefectQuery> | undefined): PrefectQuery {
  return {
    ...target,
    refId: target?.refId || ANNOTATION_REF_ID,
    queryType: 'insights',
    format: 'annotations',
    maxAnnotations: target?.maxAnnotations ?? DEFAULT_MAX_ANNOTATIONS,
  };
}

function valuesOf(frame: DataFrame, name: string): unknown[] {
  return (frame.fields.find((f) => f.name === name)?.values as unknown[] | undefined) ?? [];
}

export function framesToEvents(frames: DataFrame[]): AnnotationEvent[] {
  const events: AnnotationEvent[] = [];
  for (const frame of frames) {
    const time = valuesOf(frame, 'time');
    const timeEnd = valuesOf(frame, 'timeEnd');
    const title = valuesOf(frame, 'title');
    const text = valuesOf(frame, 'text');
    const tags = valuesOf(frame, 'tags');
    const color = valuesOf(frame, 'color');
    for (let i = 0; i < frame.length; i++) {
      const start = Number(time[i]);
      const end = Number(timeEnd[i]);
      events.push({
        time: start,
        timeEnd: end,
        isRegion: end > start,
        title: String(title[i] ?? ''),
        text: String(text[i] ?? ''),
        tags: Array.isArray(tags[i]) ? (tags[i] as string[]) : [],
        color: typeof color[i] === 'string' ? (color[i] as string) : undefined,
      });
    }
  }
  return events;
}

export function createAnnotationSupport(): AnnotationSupport<PrefectQuery> {
  return {
    prepareAnnotation(json: AnnotationQuery<PrefectQuery>): AnnotationQuery<PrefectQuery> {
      return { ...json, target: annotationTarget(json.target) };
    },
    prepareQuery(anno: AnnotationQuery<PrefectQuery>): PrefectQuery | undefined {
      return annotationTarget(anno.target);
    },
    processEvents(_anno: AnnotationQuery<PrefectQuery>, frames: DataFrame[]) {
      return of(framesToEvents(frames));
    },
    getDefaultQuery(): Partial<PrefectQuery> {
      return annotationTarget({ minSeverity: 'warning' });
    },
    QueryEditor: AnnotationEditor,
  };
}
