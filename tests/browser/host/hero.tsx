import React from 'react';

export interface HeroProps {
  title: string;
}

export function HeroView({ title }: HeroProps) {
  return <h2>{title}</h2>;
}
